"""Products and prices."""

from __future__ import annotations

from typing import Any

from ..errors import StripeError
from ..store import Obj, Store
from .common import assign, update_metadata

_PRODUCT_FIELDS = (
    "active",
    "description",
    "images",
    "name",
    "shippable",
    "statement_descriptor",
    "unit_label",
    "url",
)


def create_product(store: Store, values: dict[str, Any]) -> Obj:
    now = store.now()
    product: Obj = {
        "id": values.get("id") or store.new_id("product"),
        "object": "product",
        "active": True,
        "created": now,
        "default_price": None,
        "description": None,
        "images": [],
        "livemode": False,
        "marketing_features": [],
        "metadata": {},
        "name": values["name"],
        "package_dimensions": None,
        "shippable": None,
        "statement_descriptor": None,
        "tax_code": None,
        "tax_details": None,
        "type": values.get("type") or "service",
        "unit_label": None,
        "updated": now,
        "url": None,
    }
    _guard_new_id(store, product["id"])
    update_product(store, product, values)
    store.add(product)
    price_data = values.get("default_price_data")
    if price_data:
        price = create_price(store, {**price_data, "product": product["id"]})
        product["default_price"] = price["id"]
    return product


def update_product(store: Store, product: Obj, values: dict[str, Any]) -> None:
    assign(product, values, _PRODUCT_FIELDS)
    if product["images"] is None:
        product["images"] = []
    if values.get("default_price"):
        price = store.ref("price", values["default_price"], "default_price")
        product["default_price"] = price["id"]
    update_metadata(product, values)
    product["updated"] = store.now()


def create_price(store: Store, values: dict[str, Any]) -> Obj:
    product = store.ref("product", values["product"], "product")
    recurring = values.get("recurring")
    amount = values.get("unit_amount")
    price: Obj = {
        "id": store.new_id("price"),
        "object": "price",
        "active": True if values.get("active") is None else values["active"],
        "billing_scheme": "per_unit",
        "created": store.now(),
        "currency": values["currency"].lower(),
        "custom_unit_amount": None,
        "livemode": False,
        "lookup_key": values.get("lookup_key"),
        "metadata": {},
        "nickname": values.get("nickname"),
        "product": product["id"],
        "recurring": _recurring(recurring) if recurring else None,
        "tax_behavior": values.get("tax_behavior") or "unspecified",
        "tiers_mode": None,
        "transform_quantity": None,
        "type": "recurring" if recurring else "one_time",
        "unit_amount": amount,
        "unit_amount_decimal": None if amount is None else str(amount),
    }
    update_metadata(price, values)
    return store.add(price)


def update_price(price: Obj, values: dict[str, Any]) -> None:
    assign(price, values, ("active", "lookup_key", "nickname", "tax_behavior"))
    update_metadata(price, values)


def _recurring(values: dict[str, Any]) -> Obj:
    if not values.get("interval"):
        raise StripeError(
            400,
            "Missing required param: recurring[interval].",
            code="parameter_missing",
            param="recurring[interval]",
        )
    return {
        "interval": values["interval"],
        "interval_count": values.get("interval_count") or 1,
        "meter": None,
        "trial_period_days": values.get("trial_period_days"),
        "usage_type": values.get("usage_type") or "licensed",
    }


def _guard_new_id(store: Store, product_id: str) -> None:
    if store.find(product_id) or product_id in store.tables.get("product", {}):
        raise StripeError(
            400,
            f"Product already exists with ID {product_id}",
            code="resource_already_exists",
            param="id",
        )
