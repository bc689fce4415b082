"""Who is asking, and which Stripe key and account act for them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from gateway.auth import AuthenticationFailed
from gateway.tenants import TenantDirectory
from resolvers.context import Principal

Authenticate = Callable[[Mapping[str, str]], Awaitable[Principal]]


@dataclass(frozen=True)
class StripeCredentials:
    """The key and Connect account of one tenant; None means the client's own."""

    api_key: str | None
    account: str | None


@dataclass(frozen=True)
class Tenancy:
    """Maps a principal to the Stripe credentials its requests use.

    The default tenant uses the environment's key and account (or the
    sandbox's), when there is one; every other tenant needs an integration in
    the store.
    """

    directory: TenantDirectory | None
    default_tenant: str
    default_account: str | None = None
    has_default_key: bool = True

    async def credentials(self, principal: Principal) -> StripeCredentials:
        tenant = principal.tenant_id
        if tenant == self.default_tenant and self.has_default_key:
            return StripeCredentials(None, self.default_account)
        if self.directory is not None:
            integration = await self.directory.integration(tenant)
            key = await self.directory.stripe_key(tenant) if integration else None
            if integration is not None and key is not None:
                return StripeCredentials(key, integration.account)
        raise AuthenticationFailed(f"no Stripe integration for tenant '{tenant}'")
