"""The typed context every resolver reads from, built once per GraphQL request."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from dataclasses import astuple, dataclass, field
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
    planner: bool = True
    call_budget: int = 50
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.api, batch_products=self.planner)
        self._pages: dict[str, asyncio.Task[Page]] = {}

    async def load(
        self, object_type: str, object_id: str, expand: Sequence[str] = ()
    ) -> StripeDict:
        return await self.loaders.load(object_type, object_id, tuple(expand))

    async def related(
        self, object_type: str, value: Any, expand: Sequence[str] = ()
    ) -> StripeDict | None:
        """Follow an expandable field, whether Stripe sent an id or the object."""
        if value is None:
            return None
        if isinstance(value, dict):
            self.loaders.prime(value)
            return value
        return await self.load(object_type, value, expand)

    async def write(
        self, path: str, params: Mapping[str, Any], idempotency_key: str | None
    ) -> StripeDict:
        """Create or change an object; the loaders learn its new state."""
        return self.remember(await self.api.post(path, params, idempotency_key))

    def remember(self, written: StripeDict) -> StripeDict:
        """Replace what this request loaded of an object with what a write returned."""
        self.loaders.forget(written)
        self.loaders.prime(written)
        return written

    async def delete(self, path: str) -> StripeDict:
        return await self.api.delete(path)

    async def page(
        self,
        path: str,
        filters: Mapping[str, Any],
        request: PageRequest,
        expand: Sequence[str] = (),
    ) -> Page:
        """A page of a list; the same page asked for twice is fetched once."""
        params = {**filters, "expand": sorted(expand)} if expand else filters
        key = json.dumps([path, params, astuple(request)], sort_keys=True, default=str)
        if key not in self._pages:
            fetch = fetch_page(self.api, self.loaders, path, params, request)
            self._pages[key] = asyncio.ensure_future(fetch)
        return await self._pages[key]
