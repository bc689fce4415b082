"""Where Stripe moved a field between API versions, read it in either place.

The pinned version is the first shape; the older one is what emulators and
accounts on older versions send.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

StripeMap = Mapping[str, Any]


def price_of_plan(obj: StripeMap) -> StripeMap:
    """A legacy plan object read as the price it stands for."""
    if obj.get("object") != "plan":
        return obj
    amount = obj.get("amount")
    recurring = {
        key: obj.get(key)
        for key in ("interval", "interval_count", "usage_type", "trial_period_days")
    }
    return {
        **obj,
        "object": "price",
        "type": "recurring",
        "unit_amount": amount,
        "unit_amount_decimal": None if amount is None else str(amount),
        "recurring": recurring,
    }


def item_price(item: StripeMap) -> Any:
    """The price of a subscription item; older versions call it a plan."""
    return item.get("price") or item.get("plan")


def line_price(line: StripeMap) -> Any:
    """The price of an invoice line: under ``pricing`` since 2025."""
    details = (line.get("pricing") or {}).get("price_details") or {}
    return details.get("price") or line.get("price") or line.get("plan")


def invoice_subscription(invoice: StripeMap) -> Any:
    """The subscription an invoice bills: under ``parent`` since 2025."""
    details = (invoice.get("parent") or {}).get("subscription_details") or {}
    return details.get("subscription") or invoice.get("subscription")


def subscription_period(
    subscription: StripeMap, key: str, pick: Callable[[list[int]], int]
) -> int | None:
    """A subscription's current period bound: on its items since 2025."""
    items = (subscription.get("items") or {}).get("data") or []
    values = [item[key] for item in items if item.get(key) is not None]
    return pick(values) if values else subscription.get(key)
