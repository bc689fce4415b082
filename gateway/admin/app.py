"""The admin application, mounted by the gateway at ``/admin``."""

from __future__ import annotations

import stripe
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import Mount

from gateway.admin.api import api_routes, error_response
from gateway.admin.auth import RequireAdminToken, session_secret
from gateway.admin.integrations import AdminError
from gateway.admin.pages import page_routes
from gateway.tenants.store import TenantStore

MIN_ADMIN_TOKEN_LENGTH = 16
SESSION_SECONDS = 8 * 60 * 60


def create_admin_app(
    store: TenantStore,
    stripe_client: stripe.StripeClient,
    admin_token: str,
    *,
    secure_cookies: bool = False,
) -> Starlette:
    """The JSON API under ``/api`` and the pages beside it.

    ``stripe_client`` only carries the connection settings (base address,
    timeouts): every probe sends the tenant's own key. Set ``secure_cookies``
    when the admin is served over HTTPS.
    """
    if len(admin_token) < MIN_ADMIN_TOKEN_LENGTH:
        raise ValueError(
            f"the admin token must be at least {MIN_ADMIN_TOKEN_LENGTH} characters"
        )
    api = Mount(
        "/api",
        routes=api_routes(store, stripe_client),
        middleware=[Middleware(RequireAdminToken, admin_token=admin_token)],
    )
    session = Middleware(
        SessionMiddleware,
        secret_key=session_secret(admin_token),
        session_cookie="gateway_admin",
        max_age=SESSION_SECONDS,
        same_site="strict",
        https_only=secure_cookies,
    )
    pages = Mount(
        "", routes=page_routes(store, stripe_client, admin_token), middleware=[session]
    )
    return Starlette(
        routes=[api, pages], exception_handlers={AdminError: error_response}
    )
