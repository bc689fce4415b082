"""Checks which of the scopes a tenant selected its Stripe key really grants."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field

import stripe

from resolvers.errors import Forbidden, NotFound
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
    """Try each selected resource type with the tenant's key.

    Read is probed by reading one object. Write is probed by updating an object
    that does not exist: Stripe checks a key's permission before it looks the
    object up, so the answer is a 403 without the permission and a 404 with it,
    and nothing is changed either way. Errors other than a missing permission
    (a refused key, an outage) propagate: they say nothing about the scopes.
    """
    api = StripeAPI(client, api_key=api_key, account=account)
    selected = [r for r in Resource if scopes.allows(r, Access.READ)]
    granted = await asyncio.gather(
        *(_grants(api, r, scopes.access(r)) for r in selected)
    )
    return ProbeReport(
        granted=[r for r, ok in zip(selected, granted, strict=True) if ok],
        missing=[r for r, ok in zip(selected, granted, strict=True) if not ok],
    )


async def _grants(api: StripeAPI, resource: Resource, access: Access) -> bool:
    try:
        await api.get(PROBE_PATHS[resource], {"limit": 1})
        if access is Access.WRITE:
            for path in WRITE_PROBE_PATHS[resource]:
                await _update_nothing(api, path)
    except Forbidden:
        return False
    return True


async def _update_nothing(api: StripeAPI, path: str) -> None:
    try:
        await api.post(path, {})
    except NotFound:
        return


# Updates of objects that cannot exist: a way to ask for a write permission.
WRITE_PROBE_PATHS: Mapping[Resource, tuple[str, ...]] = {
    Resource.CUSTOMERS: ("/v1/customers/cus_gatewayprobe",),
    Resource.CHARGES: ("/v1/charges/ch_gatewayprobe", "/v1/refunds/re_gatewayprobe"),
    Resource.PAYMENT_INTENTS: ("/v1/payment_intents/pi_gatewayprobe",),
    Resource.PRODUCTS: ("/v1/products/prod_gatewayprobe",),
    Resource.PRICES: ("/v1/prices/price_gatewayprobe",),
    Resource.INVOICES: ("/v1/invoices/in_gatewayprobe",),
    Resource.SUBSCRIPTIONS: ("/v1/subscriptions/sub_gatewayprobe",),
}
