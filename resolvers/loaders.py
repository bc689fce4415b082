"""Per-request dataloaders: each Stripe object is fetched at most once a request."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from aiodataloader import DataLoader

from resolvers.errors import BadUserInput, GatewayError, NotFound
from resolvers.stripe_api import (
    RESOURCE_PATHS,
    STRIPE_PAGE_MAX,
    StripeAPI,
    StripeDict,
    check_id,
)

# Stripe id prefixes, for resolving any id to the object type that owns it.
ID_PREFIXES: Mapping[str, str] = {
    "cus_": "customer",
    "prod_": "product",
    "price_": "price",
    "plan_": "price",
    "pi_": "payment_intent",
    "ch_": "charge",
    "py_": "charge",
    "re_": "refund",
    "pyr_": "refund",
    "in_": "invoice",
    "sub_": "subscription",
    "si_": "subscription_item",
}


def object_type_of(stripe_id: str) -> str | None:
    """The Stripe object type an id belongs to, judged by its prefix."""
    for prefix, object_type in ID_PREFIXES.items():
        if stripe_id.startswith(prefix):
            return object_type
    return None


Expand = tuple[str, ...]


class ObjectByIdLoader(DataLoader[str, Any]):
    """Loads one Stripe object type by id; a failed id fails only its own key."""

    def __init__(self, api: StripeAPI, object_type: str, expand: Expand = ()) -> None:
        super().__init__()
        self.api = api
        self.object_type = object_type
        self.expand = expand

    async def batch_load_fn(self, ids: Sequence[str]) -> list[Any]:
        # The DataLoader has already removed duplicates; StripeAPI bounds concurrency.
        results = await asyncio.gather(
            *(self.api.retrieve(self.object_type, i, self.expand) for i in ids),
            return_exceptions=True,
        )
        return [_result_or_error(result) for result in results]


class ProductsByIdLoader(ObjectByIdLoader):
    """Loads products a hundred at a time, through the list's ``ids[]`` filter.

    Servers that only emulate Stripe may lack the filter; then each product is
    retrieved on its own.
    """

    def __init__(self, api: StripeAPI) -> None:
        super().__init__(api, "product")
        self.max_batch_size = STRIPE_PAGE_MAX

    async def batch_load_fn(self, ids: Sequence[str]) -> list[Any]:
        try:
            for product_id in ids:
                check_id(product_id)
            params = {"ids": list(ids), "limit": STRIPE_PAGE_MAX}
            page = await self.api.get("/v1/products", params)
        except BadUserInput:
            return await super().batch_load_fn(ids)
        except GatewayError as exc:
            return [exc] * len(ids)
        found = {product["id"]: product for product in page["data"]}
        return [found.get(i) or NotFound(f"No such product: '{i}'") for i in ids]


class InvoicePaymentIntentLoader(DataLoader[str, Any]):
    """Finds the payment intent of an invoice through its invoice payments."""

    def __init__(self, api: StripeAPI) -> None:
        super().__init__()
        self.api = api

    async def batch_load_fn(self, invoice_ids: Sequence[str]) -> list[Any]:
        results = await asyncio.gather(
            *(self._one(i) for i in invoice_ids), return_exceptions=True
        )
        return [_result_or_error(result) for result in results]

    async def _one(self, invoice_id: str) -> str | None:
        page = await self.api.get("/v1/invoice_payments", {"invoice": invoice_id})
        return payment_intent_of_payments(page["data"])


def payment_intent_of_payments(payments: Iterable[Mapping[str, Any]]) -> str | None:
    """The payment intent an invoice is paid through: its default payment first."""
    ordered = sorted(payments, key=lambda p: not p.get("is_default"))
    for payment in ordered:
        target = (payment.get("payment") or {}).get("payment_intent")
        if target:
            return target if isinstance(target, str) else target["id"]
    return None


def _result_or_error(result: Any) -> Any:
    if isinstance(result, Exception):
        return result
    if isinstance(result, BaseException):
        raise result
    return result


class Loaders:
    """The dataloaders of one request, one per Stripe object type."""

    def __init__(self, api: StripeAPI, batch_products: bool = True) -> None:
        self.api = api
        self.by_type: dict[str, DataLoader[str, Any]] = {
            name: ObjectByIdLoader(api, name) for name in RESOURCE_PATHS
        }
        if batch_products:
            self.by_type["product"] = ProductsByIdLoader(api)
        self.expanded: dict[tuple[str, Expand], ObjectByIdLoader] = {}
        self.invoice_payment_intent = InvoicePaymentIntentLoader(api)

    async def load(
        self, object_type: str, object_id: str, expand: Expand = ()
    ) -> StripeDict:
        if not expand:
            return await self.by_type[object_type].load(object_id)
        key = (object_type, expand)
        if key not in self.expanded:
            self.expanded[key] = ObjectByIdLoader(self.api, object_type, expand)
        found: StripeDict = await self.expanded[key].load(object_id)
        # Whoever later asks for the same object without expansions gets it too.
        self.prime(found)
        return found

    def prime(self, obj: Mapping[str, Any]) -> None:
        """Remember an object that arrived in a list or expanded in another."""
        loader = self.by_type.get(str(obj.get("object")))
        if loader is not None and "id" in obj and not obj.get("deleted"):
            loader.prime(obj["id"], dict(obj))

    def forget(self, obj: Mapping[str, Any]) -> None:
        """Drop what this request loaded of an object before a write changed it."""
        loader = self.by_type.get(str(obj.get("object")))
        if loader is not None and "id" in obj:
            loader.clear(obj["id"])
        for (object_type, _), expanded in self.expanded.items():
            if object_type == obj.get("object"):
                expanded.clear(obj["id"])

    def prime_all(self, objects: Iterable[Mapping[str, Any]]) -> None:
        for obj in objects:
            self.prime(obj)
