"""/v1/products and /v1/prices"""

from __future__ import annotations

from typing import Any

from ..errors import ParamError, StripeError
from ..objects.catalog import create_price, create_product, update_price, update_product
from ..store import Obj
from .base import (
    METADATA,
    Call,
    Endpoint,
    deleted,
    list_page,
    listing,
    matching,
    retrieve,
)

_RECURRING = {
    "interval": ("day", "week", "month", "year"),
    "interval_count": "int",
    "trial_period_days": "int",
    "usage_type": ("licensed", "metered"),
}
_PRICE_DATA = {
    "currency": "str",
    "unit_amount": "int",
    "recurring": _RECURRING,
    "tax_behavior": ("exclusive", "inclusive", "unspecified"),
}
_PRODUCT = {
    **METADATA,
    "active": "bool",
    "description": "str",
    "images": ["str"],
    "name": "str",
    "shippable": "bool",
    "statement_descriptor": "str",
    "unit_label": "str",
    "url": "str",
}
_PRICE_UPDATE = {
    **METADATA,
    "active": "bool",
    "lookup_key": "str",
    "nickname": "str",
    "tax_behavior": ("exclusive", "inclusive", "unspecified"),
}


def _list_products(call: Call) -> Obj:
    values = call.values
    products = matching(
        call.store.all("product"), values, ("active", "type", "shippable", "url")
    )
    if values.get("ids") is not None:
        if values.get("starting_after") or values.get("ending_before"):
            raise ParamError(
                "You cannot combine `ids` with `starting_after` or `ending_before`.",
                param="ids",
            )
        products = [product for product in products if product["id"] in values["ids"]]
    return list_page(call, "product", products, "/v1/products")


def _create_product(call: Call) -> Obj:
    return call.render(create_product(call.store, call.values))


def _update_product(call: Call) -> Obj:
    product = call.store.get("product", call.path["id"])
    update_product(call.store, product, call.values)
    return call.render(product)


def _delete_product(call: Call) -> Obj:
    product = call.store.get("product", call.path["id"])
    if call.store.where("price", product=product["id"]):
        raise StripeError(
            400,
            "This product cannot be deleted because it has one or more user-created "
            "prices.",
            code="product_has_prices",
        )
    call.store.delete("product", product["id"])
    return deleted(product)


def _list_prices(call: Call) -> Obj:
    values = call.values
    if values.get("active") is None:
        # Stripe lists only active prices unless asked for inactive ones.
        values = {**values, "active": True}
    prices = matching(
        call.store.all("price"), values, ("active", "currency", "product", "type")
    )
    prices = [price for price in prices if _recurring_matches(price, values)]
    if values.get("lookup_keys") is not None:
        prices = [
            price for price in prices if price["lookup_key"] in values["lookup_keys"]
        ]
    return list_page(call, "price", prices, "/v1/prices")


def _recurring_matches(price: Obj, values: dict[str, Any]) -> bool:
    wanted = values.get("recurring") or {}
    recurring = price["recurring"] or {}
    return all(recurring.get(key) == value for key, value in wanted.items() if value)


def _create_price(call: Call) -> Obj:
    values = call.values
    if values.get("product") is None and values.get("product_data"):
        product = create_product(call.store, values["product_data"])
        values = {**values, "product": product["id"]}
    if values.get("product") is None:
        raise ParamError(
            "Missing required param: product.",
            code="parameter_missing",
            param="product",
        )
    return call.render(create_price(call.store, values))


def _update_price(call: Call) -> Obj:
    price = call.store.get("price", call.path["id"])
    update_price(price, call.values)
    return call.render(price)


ENDPOINTS = [
    listing(
        "/v1/products",
        _list_products,
        "product",
        {
            "active": "bool",
            "ids": ["str"],
            "shippable": "bool",
            "type": ("good", "service"),
            "url": "str",
        },
    ),
    Endpoint(
        "POST",
        "/v1/products",
        _create_product,
        "product",
        {
            **_PRODUCT,
            "id": "str",
            "type": ("good", "service"),
            "default_price_data": _PRICE_DATA,
        },
        ("name",),
    ),
    retrieve("/v1/products/{id}", "product"),
    Endpoint(
        "POST",
        "/v1/products/{id}",
        _update_product,
        "product",
        {**_PRODUCT, "default_price": "str"},
    ),
    Endpoint("DELETE", "/v1/products/{id}", _delete_product, "deleted"),
    listing(
        "/v1/prices",
        _list_prices,
        "price",
        {
            "active": "bool",
            "currency": "str",
            "lookup_keys": ["str"],
            "product": "str",
            "recurring": {
                "interval": _RECURRING["interval"],
                "usage_type": _RECURRING["usage_type"],
            },
            "type": ("one_time", "recurring"),
        },
    ),
    Endpoint(
        "POST",
        "/v1/prices",
        _create_price,
        "price",
        {
            **_PRICE_UPDATE,
            **_PRICE_DATA,
            "product": "str",
            "product_data": {"name": "str", "active": "bool", **METADATA},
        },
        ("currency",),
    ),
    retrieve("/v1/prices/{id}", "price"),
    Endpoint("POST", "/v1/prices/{id}", _update_price, "price", _PRICE_UPDATE),
]
