"""Checks which of the scopes a tenant selected its Stripe key really grants."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import stripe

from resolvers.errors import Forbidden
from resolvers.scopes import PROBE_PATHS, Access, Resource, Scopes
from resolvers.stripe_api import StripeAPI


@dataclass(frozen=True)
class ProbeReport:
    """Per selected resource type: granted, or lacking from the key."""

    granted: list[Resource] = field(default_factory=list)
    missing: list[Resource] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing


async def probe_scopes(
    client: stripe.StripeClient, api_key: str, account: str | None, scopes: Scopes
) -> ProbeReport:
    """Read one object of each selected resource type with the tenant's key.

    Stripe has no read-only way to test a write permission, so Write is probed
    by its Read. Errors other than a missing permission (a refused key, an
    outage) propagate, because they say nothing about the scopes.
    """
    api = StripeAPI(client, api_key=api_key, account=account)
    selected = [r for r in Resource if scopes.allows(r, Access.READ)]
    granted = await asyncio.gather(*(_grants(api, r) for r in selected))
    return ProbeReport(
        granted=[r for r, ok in zip(selected, granted, strict=True) if ok],
        missing=[r for r, ok in zip(selected, granted, strict=True) if not ok],
    )


async def _grants(api: StripeAPI, resource: Resource) -> bool:
    try:
        await api.get(PROBE_PATHS[resource], {"limit": 1})
    except Forbidden:
        return False
    return True
