"""The admin's JSON API, for automation; every route needs the admin token."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import stripe
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway.admin.integrations import (
    AdminError,
    SavedIntegration,
    levels_of,
    save_stripe_integration,
    scopes_from_levels,
    tenant_not_found,
    valid,
)
from gateway.tenants import ApiToken, Integration, Tenant
from gateway.tenants.store import (
    TenantExists,
    TenantStore,
    check_tenant_id,
    check_tenant_name,
)
from resolvers.probe import ProbeReport
from resolvers.scopes import ScopeError, Scopes

logger = logging.getLogger(__name__)


def api_routes(store: TenantStore, client: stripe.StripeClient) -> list[Route]:
    api = AdminAPI(store, client)
    return [
        Route("/tenants", api.list_tenants, methods=["GET"]),
        Route("/tenants", api.create_tenant, methods=["POST"]),
        Route("/tenants/{tenant_id}", api.get_tenant, methods=["GET"]),
        Route("/tenants/{tenant_id}", api.delete_tenant, methods=["DELETE"]),
        Route("/tenants/{tenant_id}/stripe", api.save_stripe, methods=["PUT"]),
        Route("/tenants/{tenant_id}/stripe", api.delete_stripe, methods=["DELETE"]),
        Route("/tenants/{tenant_id}/tokens", api.list_tokens, methods=["GET"]),
        Route("/tenants/{tenant_id}/tokens", api.create_token, methods=["POST"]),
        Route(
            "/tenants/{tenant_id}/tokens/{token_id}",
            api.revoke_token,
            methods=["DELETE"],
        ),
        Route("/rotate-master-key", api.rotate_master_key, methods=["POST"]),
    ]


def error_response(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AdminError)
    body: dict[str, Any] = {
        "error": {"code": exc.code, "message": exc.message, "field": exc.field}
    }
    if exc.probe is not None:
        body["probe"] = probe_json(exc.probe)
    return JSONResponse(body, status_code=exc.status)


class AdminAPI:
    def __init__(self, store: TenantStore, client: stripe.StripeClient) -> None:
        self.store = store
        self.client = client

    async def list_tenants(self, request: Request) -> Response:
        tenants = await self.store.list_tenants()
        return JSONResponse({"tenants": [tenant_json(t) for t in tenants]})

    async def create_tenant(self, request: Request) -> Response:
        body = await json_body(request)
        tenant_id = valid(check_tenant_id, text(body, "id"), "id")
        name = valid(check_tenant_name, text(body, "name"), "name")
        try:
            tenant = await self.store.create_tenant(tenant_id, name)
        except TenantExists as exc:
            raise AdminError(
                "tenant_exists", str(exc), field="id", status=409
            ) from None
        return JSONResponse({"tenant": tenant_json(tenant)}, status_code=201)

    async def get_tenant(self, request: Request) -> Response:
        tenant = await self._tenant(request)
        integration = await self.store.integration(tenant.id)
        return JSONResponse(
            {
                "tenant": tenant_json(tenant),
                "integration": integration_json(integration) if integration else None,
            }
        )

    async def delete_tenant(self, request: Request) -> Response:
        tenant = await self._tenant(request)
        await self.store.delete_tenant(tenant.id)
        logger.info("tenant %s: deleted", tenant.id)
        return Response(status_code=204)

    async def save_stripe(self, request: Request) -> Response:
        tenant = await self._tenant(request)
        body = await json_body(request)
        levels = body.get("scopes")
        if not isinstance(levels, dict):
            raise AdminError(
                "invalid_scopes",
                'scopes must be an object such as {"customers": "read"}',
                field="scopes",
            )
        saved = await save_stripe_integration(
            self.store,
            self.client,
            tenant.id,
            text(body, "key"),
            scopes_from_levels(levels),
            optional_text(body, "account"),
        )
        return JSONResponse(saved_json(saved))

    async def delete_stripe(self, request: Request) -> Response:
        tenant = await self._tenant(request)
        if not await self.store.delete_integration(tenant.id):
            raise AdminError(
                "integration_not_found",
                f"tenant '{tenant.id}' has no Stripe key",
                status=404,
            )
        logger.info("tenant %s: deleted its Stripe key", tenant.id)
        return Response(status_code=204)

    async def list_tokens(self, request: Request) -> Response:
        tenant = await self._tenant(request)
        tokens = await self.store.list_api_tokens(tenant.id)
        return JSONResponse({"tokens": [token_json(t) for t in tokens]})

    async def create_token(self, request: Request) -> Response:
        tenant = await self._tenant(request)
        body = await json_body(request)
        name = valid(check_tenant_name, text(body, "name"), "name")
        token, plain = await self.store.create_api_token(
            tenant.id, name, token_scopes(body)
        )
        logger.info("tenant %s: created API token %s", tenant.id, token.id)
        return JSONResponse(
            {"token": token_json(token), "secret": plain}, status_code=201
        )

    async def revoke_token(self, request: Request) -> Response:
        tenant = await self._tenant(request)
        token_id = request.path_params["token_id"]
        if not await self.store.revoke_api_token(tenant.id, token_id):
            raise AdminError(
                "token_not_found",
                f"tenant '{tenant.id}' has no token '{token_id}'",
                status=404,
            )
        logger.info("tenant %s: revoked API token %s", tenant.id, token_id)
        return Response(status_code=204)

    async def rotate_master_key(self, request: Request) -> Response:
        if not self.store.has_master_key:
            raise AdminError(
                "no_master_key", "GATEWAY_SECRET_KEY is not set", status=503
            )
        rotated = await self.store.rotate_master_key()
        logger.info("re-encrypted %d Stripe keys under the newest master key", rotated)
        return JSONResponse({"rotated": rotated})

    async def _tenant(self, request: Request) -> Tenant:
        tenant_id = request.path_params["tenant_id"]
        tenant = await self.store.get_tenant(tenant_id)
        if tenant is None:
            raise tenant_not_found(tenant_id)
        return tenant


async def json_body(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except (ValueError, RecursionError):  # nested past Python's recursion limit
        body = None
    if not isinstance(body, dict):
        raise AdminError("invalid_json", "the body must be a JSON object")
    return body


def text(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise AdminError("missing_field", f"'{name}' must be a string", field=name)
    return value


def optional_text(body: dict[str, Any], name: str) -> str | None:
    return text(body, name) if body.get(name) is not None else None


def token_scopes(body: dict[str, Any]) -> Scopes:
    names = body.get("scopes")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise AdminError(
            "invalid_scopes",
            'scopes must be a list such as ["customers:read"]',
            field="scopes",
        )
    try:
        return Scopes.parse(names)
    except ScopeError as exc:
        raise AdminError("invalid_scopes", str(exc), field="scopes") from None


def tenant_json(tenant: Tenant) -> dict[str, Any]:
    return {
        "id": tenant.id,
        "name": tenant.name,
        "createdAt": timestamp(tenant.created_at),
    }


def integration_json(integration: Integration) -> dict[str, Any]:
    return {
        "maskedKey": integration.masked_key,
        "keyKind": integration.key_kind,
        "livemode": integration.livemode,
        "scopes": levels_of(integration.scopes),
        "account": integration.account,
        "updatedAt": timestamp(integration.updated_at),
    }


def probe_json(report: ProbeReport) -> dict[str, list[str]]:
    return {
        "granted": [r.value for r in report.granted],
        "missing": [r.value for r in report.missing],
    }


def saved_json(saved: SavedIntegration) -> dict[str, Any]:
    return {
        "integration": integration_json(saved.integration),
        "probe": probe_json(saved.probe),
        "warnings": saved.warnings,
    }


def token_json(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.id,
        "name": token.name,
        "scopes": token.scopes.names(),
        "createdAt": timestamp(token.created_at),
    }


def timestamp(moment: datetime) -> str:
    return moment.isoformat()
