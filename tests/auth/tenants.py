"""An in-memory TenantDirectory: two tenants, one of them without Stripe."""

from __future__ import annotations

from datetime import UTC, datetime

from gateway.tenants import ApiToken, Integration
from resolvers.scopes import Scopes

NOW = datetime(2025, 1, 1, tzinfo=UTC)

ACME_SCOPES = Scopes.parse(["customers:read", "invoices:write", "products:read"])
"""What acme's restricted Stripe key allows."""


class InMemoryDirectory:
    """Tenant ``acme`` has a Stripe integration; tenant ``ghost`` has none."""

    def __init__(self) -> None:
        self.integrations = {
            "acme": Integration(
                tenant_id="acme",
                masked_key="rk_test_...abcd",
                key_kind="restricted",
                livemode=False,
                scopes=ACME_SCOPES,
                account=None,
                updated_at=NOW,
            )
        }
        self.api_tokens = {
            "sgw_acme_reader": _api_token("acme", "customers:write invoices:read"),
            "legacy-acme-token": _api_token("acme", "products:read"),
            "sgw_ghost": _api_token("ghost", "customers:read"),
        }

    async def integration(self, tenant_id: str) -> Integration | None:
        return self.integrations.get(tenant_id)

    async def stripe_key(self, tenant_id: str) -> str | None:
        return None

    async def find_api_token(self, token: str) -> ApiToken | None:
        return self.api_tokens.get(token)


def _api_token(tenant_id: str, scopes: str) -> ApiToken:
    return ApiToken(
        id=f"tok_{tenant_id}",
        tenant_id=tenant_id,
        name="ci",
        scopes=Scopes.parse(scopes.split()),
        created_at=NOW,
    )
