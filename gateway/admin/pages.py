"""The admin's HTML pages: sign-in, the tenants list, and each tenant's Stripe
integration. Server-rendered, with no JavaScript; the key is never rendered."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import Any

import jinja2
import stripe
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from gateway.admin.auth import (
    SESSION_ADMIN,
    csrf_matches,
    csrf_token,
    token_matches,
)
from gateway.admin.integrations import (
    AdminError,
    SavedIntegration,
    label,
    levels_of,
    save_stripe_integration,
    scopes_from_levels,
    valid,
)
from gateway.tenants import Integration, Tenant
from gateway.tenants.store import (
    TenantExists,
    TenantStore,
    check_tenant_id,
    check_tenant_name,
)
from resolvers.probe import ProbeReport
from resolvers.scopes import RESOURCE_LABELS, Resource, Scopes

logger = logging.getLogger(__name__)

Endpoint = Callable[[Request], Awaitable[Response]]

LEVELS = ("none", "read", "write")

# No script, frame or outside resource is ever needed; the CSS is inline.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}

templates = Jinja2Templates(
    env=jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
)


@dataclass(frozen=True)
class ScopeRow:
    resource: str
    label: str
    level: str


@dataclass(frozen=True)
class ProbeRow:
    resource: str
    label: str
    granted: bool


def page_routes(
    store: TenantStore, client: stripe.StripeClient, admin_token: str
) -> list[Route]:
    """Every page, with the guards each one needs written beside it."""
    pages = AdminPages(store, client, admin_token)
    return [
        Route("/", pages.home, methods=["GET"], name="home"),
        Route("/login", pages.login_form, methods=["GET"], name="login"),
        Route("/login", with_csrf(pages.login), methods=["POST"], name="login_post"),
        Route("/logout", with_csrf(pages.logout), methods=["POST"], name="logout"),
        Route("/tenants", signed_in(pages.tenants), methods=["GET"], name="tenants"),
        Route(
            "/tenants",
            signed_in(with_csrf(pages.create_tenant)),
            methods=["POST"],
            name="tenant_create",
        ),
        Route(
            "/tenants/{tenant_id}/stripe",
            signed_in(pages.stripe),
            methods=["GET"],
            name="stripe",
        ),
        Route(
            "/tenants/{tenant_id}/stripe",
            signed_in(with_csrf(pages.save_stripe)),
            methods=["POST"],
            name="stripe_save",
        ),
        Route(
            "/tenants/{tenant_id}/stripe/delete",
            signed_in(with_csrf(pages.delete_stripe)),
            methods=["POST"],
            name="stripe_delete",
        ),
    ]


def render(
    request: Request, template: str, status: int = 200, **context: Any
) -> Response:
    context["csrf"] = csrf_token(request.session)
    context["signed_in"] = bool(request.session.get(SESSION_ADMIN))
    return templates.TemplateResponse(
        request, template, context, status_code=status, headers=PAGE_HEADERS
    )


def redirect(request: Request, name: str, **params: str) -> Response:
    return RedirectResponse(request.url_for(name, **params), status_code=303)


def with_csrf(endpoint: Endpoint) -> Endpoint:
    """Refuse, with 403, a form posted without this session's CSRF token."""

    @wraps(endpoint)
    async def checked(request: Request) -> Response:
        form = await request.form()
        if not csrf_matches(request.session, form.get("csrf")):
            return render(
                request,
                "refused.html",
                status=403,
                message="This form is out of date or did not come from this admin "
                "page. Reload the page and try again.",
            )
        return await endpoint(request)

    return checked


def signed_in(endpoint: Endpoint) -> Endpoint:
    """Send a visitor who has not signed in to the sign-in page."""

    @wraps(endpoint)
    async def checked(request: Request) -> Response:
        if request.session.get(SESSION_ADMIN) is not True:
            if request.method == "GET":
                return redirect(request, "login")
            message = "Sign in before changing anything."
            return render(request, "refused.html", status=403, message=message)
        return await endpoint(request)

    return checked


class AdminPages:
    def __init__(
        self, store: TenantStore, client: stripe.StripeClient, admin_token: str
    ) -> None:
        self.store = store
        self.client = client
        self.admin_token = admin_token

    async def home(self, request: Request) -> Response:
        return redirect(request, "tenants")

    async def login_form(self, request: Request) -> Response:
        return render(request, "login.html")

    async def login(self, request: Request) -> Response:
        form = await request.form()
        presented = form.get("token")
        if not isinstance(presented, str) or not token_matches(
            presented, self.admin_token
        ):
            return render(
                request, "login.html", status=401, error="That is not the admin token."
            )
        # A fresh session, and CSRF token, for the signed-in admin.
        request.session.clear()
        request.session[SESSION_ADMIN] = True
        return redirect(request, "tenants")

    async def logout(self, request: Request) -> Response:
        request.session.clear()
        return redirect(request, "login")

    async def tenants(self, request: Request) -> Response:
        return await self._tenants_page(request, {})

    async def create_tenant(self, request: Request) -> Response:
        form = await request.form()
        values = {name: str(form.get(name, "")) for name in ("id", "name")}
        try:
            tenant_id = valid(check_tenant_id, values["id"], "id")
            name = valid(check_tenant_name, values["name"], "name")
            await self.store.create_tenant(tenant_id, name)
        except AdminError as exc:
            return await self._tenants_page(request, values, exc)
        except TenantExists as exc:
            error = AdminError("tenant_exists", str(exc), field="id", status=409)
            return await self._tenants_page(request, values, error)
        return redirect(request, "stripe", tenant_id=tenant_id)

    async def _tenants_page(
        self, request: Request, values: dict[str, str], error: AdminError | None = None
    ) -> Response:
        return render(
            request,
            "tenants.html",
            status=error.status if error else 200,
            tenants=await self.store.list_tenants(),
            values=values,
            error=error,
        )

    async def stripe(self, request: Request) -> Response:
        tenant = await self._tenant(request)
        if tenant is None:
            return self._no_tenant(request)
        return await self._stripe_page(request, tenant)

    async def save_stripe(self, request: Request) -> Response:
        tenant = await self._tenant(request)
        if tenant is None:
            return self._no_tenant(request)
        form = await request.form()
        key = str(form.get("key", ""))
        account = str(form.get("account", "")).strip() or None
        levels = {r.value: str(form.get(f"scope-{r.value}", "none")) for r in Resource}
        try:
            saved = await save_stripe_integration(
                self.store,
                self.client,
                tenant.id,
                key,
                scopes_from_levels(levels),
                account,
            )
        except AdminError as exc:
            # The submitted choices come back, except the key, which never does.
            return await self._stripe_page(
                request, tenant, error=exc, levels=levels, account=account
            )
        return await self._stripe_page(request, tenant, saved=saved)

    async def delete_stripe(self, request: Request) -> Response:
        tenant = await self._tenant(request)
        if tenant is None:
            return self._no_tenant(request)
        if await self.store.delete_integration(tenant.id):
            logger.info("tenant %s: deleted its Stripe key", tenant.id)
        return redirect(request, "stripe", tenant_id=tenant.id)

    async def _stripe_page(
        self,
        request: Request,
        tenant: Tenant,
        *,
        saved: SavedIntegration | None = None,
        error: AdminError | None = None,
        levels: dict[str, str] | None = None,
        account: str | None = None,
    ) -> Response:
        integration = await self.store.integration(tenant.id)
        current = integration.scopes if integration else Scopes.none()
        probe = saved.probe if saved else (error.probe if error else None)
        return render(
            request,
            "stripe.html",
            status=error.status if error else 200,
            tenant=tenant,
            integration=integration,
            saved=saved,
            error=error,
            probe_rows=probe_rows(probe) if probe else [],
            scope_groups=scope_groups(levels or levels_of(current)),
            levels=LEVELS,
            account=account if error else _account(integration),
        )

    async def _tenant(self, request: Request) -> Tenant | None:
        return await self.store.get_tenant(request.path_params["tenant_id"])

    def _no_tenant(self, request: Request) -> Response:
        message = f"There is no tenant '{request.path_params['tenant_id']}'."
        return render(request, "refused.html", status=404, message=message)


def _account(integration: Integration | None) -> str | None:
    return integration.account if integration else None


def scope_groups(levels: dict[str, str]) -> list[tuple[str, list[ScopeRow]]]:
    """The seven resource types in the Dashboard's groups, with their levels."""
    rows = [
        (group, ScopeRow(resource.value, name, levels.get(resource.value, "none")))
        for resource, (name, group) in RESOURCE_LABELS.items()
    ]
    return [
        (group, [row for _, row in members])
        for group, members in itertools.groupby(rows, key=lambda pair: pair[0])
    ]


def probe_rows(report: ProbeReport) -> list[ProbeRow]:
    return [
        ProbeRow(resource.value, label(resource), resource in report.granted)
        for resource in RESOURCE_LABELS
        if resource in report.granted or resource in report.missing
    ]
