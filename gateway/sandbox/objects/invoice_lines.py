"""Invoice items (`ii_`) and invoice line items (`il_`)."""

from __future__ import annotations

from typing import Any

from ..errors import StripeError
from ..store import Obj, Store
from .common import ensure_currency, money, update_metadata


def create_invoice_item(store: Store, values: dict[str, Any]) -> Obj:
    customer = store.ref("customer", values["customer"], "customer")
    price = _price(store, values)
    quantity = values.get("quantity") or 1
    currency, unit = _unit_amount(values, price, quantity)
    now = store.now()
    period = values.get("period") or {"start": now, "end": now}
    item: Obj = {
        "id": store.new_id("invoiceitem"),
        "object": "invoiceitem",
        "amount": unit * quantity,
        "currency": currency,
        "customer": customer["id"],
        "customer_account": None,
        "date": now,
        "description": values.get("description") or _describe(store, price),
        "discountable": True,
        "discounts": [],
        "frozen_fields": None,
        "invoice": None,
        "invoicing_rules": None,
        "livemode": False,
        "metadata": {},
        "net_amount": unit * quantity,
        "parent": None,
        "period": {"start": period["start"], "end": period["end"]},
        "pricing": _pricing(price, unit),
        "proration": False,
        "proration_details": None,
        "quantity": quantity,
        "quantity_decimal": str(quantity),
        "tax_rates": [],
        "test_clock": None,
    }
    ensure_currency(customer, currency)
    update_metadata(item, values)
    return store.add(item)


def update_invoice_item(item: Obj, values: dict[str, Any]) -> None:
    if "description" in values:
        item["description"] = values["description"]
    update_metadata(item, values)


def line_for_item(store: Store, invoice: Obj, item: Obj) -> Obj:
    subscription = ((item["parent"] or {}).get("subscription_details") or {}).get(
        "subscription"
    )
    details = {
        "invoice_item": item["id"],
        "proration": item["proration"],
        "proration_details": {"credited_items": None},
        "subscription": subscription,
    }
    parent = {
        "invoice_item_details": details,
        "subscription_item_details": None,
        "type": "invoice_item_details",
    }
    return _line(store, invoice, item, parent, None)


def line_for_subscription_item(
    store: Store, invoice: Obj, sub_item: Obj, period: Obj
) -> Obj:
    price = store.get("price", sub_item["price"])
    quantity = sub_item["quantity"] or 1
    source = {
        "amount": price["unit_amount"] * quantity,
        "currency": price["currency"],
        "description": _describe_recurring(store, price, quantity),
        "metadata": {},
        "period": period,
        "pricing": _pricing(price, price["unit_amount"]),
        "quantity": quantity,
    }
    details = {
        "invoice_item": None,
        "proration": False,
        "proration_details": {"credited_items": None},
        "subscription": sub_item["subscription"],
        "subscription_item": sub_item["id"],
    }
    parent = {
        "invoice_item_details": None,
        "subscription_item_details": details,
        "type": "subscription_item_details",
    }
    return _line(store, invoice, source, parent, sub_item["subscription"])


def _line(
    store: Store, invoice: Obj, source: Obj, parent: Obj, subscription: str | None
) -> Obj:
    line: Obj = {
        "id": store.new_id("line_item"),
        "object": "line_item",
        "amount": source["amount"],
        "currency": source["currency"],
        "description": source["description"],
        "discount_amounts": [],
        "discountable": True,
        "discounts": [],
        "invoice": invoice["id"],
        "livemode": False,
        "metadata": dict(source["metadata"]),
        "parent": parent,
        "period": dict(source["period"]),
        "pretax_credit_amounts": [],
        "pricing": source["pricing"],
        "quantity": source["quantity"],
        "quantity_decimal": str(source["quantity"]),
        "subscription": subscription,
        "subtotal": source["amount"],
        "taxes": [],
    }
    return store.add(line)


def _price(store: Store, values: dict[str, Any]) -> Obj | None:
    if values.get("price"):
        return store.ref("price", values["price"], "price")
    price_id = (values.get("pricing") or {}).get("price")
    if not price_id:
        return None
    return store.ref("price", price_id, "pricing[price]")


def _unit_amount(
    values: dict[str, Any], price: Obj | None, quantity: int
) -> tuple[str, int]:
    if price is not None:
        return price["currency"], price["unit_amount"] or 0
    if values.get("amount") is None or not values.get("currency"):
        missing = "amount" if values.get("amount") is None else "currency"
        raise StripeError(
            400,
            f"Missing required param: {missing}.",
            code="parameter_missing",
            param=missing,
        )
    # `amount` is the total; Stripe keeps it whole rather than splitting per unit.
    return values["currency"].lower(), values["amount"] // quantity


def _pricing(price: Obj | None, unit: int) -> Obj:
    details = None
    if price is not None:
        details = {"price": price["id"], "product": price["product"]}
    return {
        "price_details": details,
        "type": "price_details",
        "unit_amount_decimal": str(unit),
    }


def _describe(store: Store, price: Obj | None) -> str | None:
    if price is None:
        return None
    return str(store.get("product", price["product"])["name"])


def _describe_recurring(store: Store, price: Obj, quantity: int) -> str:
    name = store.get("product", price["product"])["name"]
    amount = money(price["unit_amount"], price["currency"])
    interval = (price["recurring"] or {}).get("interval", "month")
    return f"{quantity} × {name} (at {amount} / {interval})"
