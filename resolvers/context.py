"""The typed context every resolver reads from, built once per GraphQL request."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from resolvers.lists import Page, PageRequest, fetch_page
from resolvers.loaders import Loaders
from resolvers.scopes import Scopes
from resolvers.stripe_api import StripeAPI, StripeDict


@dataclass(frozen=True)
class Principal:
    """Who is asking: a tenant, and the scopes this request may use."""

    tenant_id: str
    scopes: Scopes


@dataclass
class RequestContext:
    """The caller, Stripe access and fresh dataloaders for one request."""

    api: StripeAPI
    principal: Principal
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.api)

    async def load(self, object_type: str, object_id: str) -> StripeDict:
        return await self.loaders.load(object_type, object_id)

    async def related(self, object_type: str, value: Any) -> StripeDict | None:
        """Follow an expandable field, whether Stripe sent an id or the object."""
        if value is None:
            return None
        if isinstance(value, dict):
            self.loaders.prime(value)
            return value
        return await self.load(object_type, value)

    async def page(
        self, path: str, filters: Mapping[str, Any], request: PageRequest
    ) -> Page:
        return await fetch_page(self.api, self.loaders, path, filters, request)
