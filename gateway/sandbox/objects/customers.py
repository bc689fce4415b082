"""Customers."""

from __future__ import annotations

from typing import Any

from ..store import Obj, Store
from .common import address, assign, update_metadata

_SCALARS = ("description", "email", "name", "phone", "preferred_locales", "tax_exempt")


def create_customer(store: Store, values: dict[str, Any]) -> Obj:
    customer: Obj = {
        "id": store.new_id("customer"),
        "object": "customer",
        "address": None,
        "balance": values.get("balance") or 0,
        "business_name": None,
        "created": store.now(),
        "currency": None,
        "customer_account": None,
        "default_source": None,
        "delinquent": False,
        "description": None,
        "discount": None,
        "email": None,
        "individual_name": None,
        "invoice_prefix": store.token(8).upper(),
        "invoice_settings": _invoice_settings(None),
        "livemode": False,
        "metadata": {},
        "name": None,
        "next_invoice_sequence": 1,
        "phone": None,
        "preferred_locales": [],
        "shipping": None,
        "tax_exempt": "none",
        "test_clock": None,
    }
    update_customer(customer, values)
    return store.add(customer)


def update_customer(customer: Obj, values: dict[str, Any]) -> None:
    assign(customer, values, _SCALARS)
    if "address" in values:
        customer["address"] = address(values["address"])
    if "shipping" in values:
        customer["shipping"] = _shipping(values["shipping"])
    if "invoice_settings" in values:
        customer["invoice_settings"] = _invoice_settings(values["invoice_settings"])
    if customer["preferred_locales"] is None:
        customer["preferred_locales"] = []
    update_metadata(customer, values)


def default_payment_method(customer: Obj) -> str | None:
    method = customer["invoice_settings"]["default_payment_method"]
    return str(method) if method else None


def _invoice_settings(values: dict[str, Any] | None) -> Obj:
    values = values or {}
    return {
        "custom_fields": None,
        "default_payment_method": values.get("default_payment_method"),
        "footer": values.get("footer"),
        "rendering_options": None,
    }


def _shipping(values: dict[str, Any] | None) -> Obj | None:
    if values is None:
        return None
    return {
        "address": address(values.get("address") or {}),
        "carrier": None,
        "name": values.get("name"),
        "phone": values.get("phone"),
        "tracking_number": None,
    }
