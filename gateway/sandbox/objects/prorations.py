"""Prorations: what a change in the middle of a billing period is worth.

Stripe credits the unused rest of the period for what a change removes and
charges the rest of the period for what it adds. Both become pending invoice
items of the subscription, billed with its next invoice or at once.
"""

from __future__ import annotations

import time

from ..store import Obj, Store
from .invoice_lines import create_invoice_item


def prorate(
    store: Store, subscription: Obj, item: Obj, price: Obj, quantity: int, sign: int
) -> Obj | None:
    """A pending item for `quantity` of `price` over the rest of `item`'s
    period: a credit when `sign` is -1, a charge when it is 1."""
    now = store.now()
    start, end = item["current_period_start"], item["current_period_end"]
    if end <= start or now >= end:
        return None
    share = (end - max(now, start)) / (end - start)
    amount = sign * round(price["unit_amount"] * quantity * share)
    if amount == 0:
        return None
    product = store.get("product", price["product"])
    when = time.strftime("%d %b %Y", time.gmtime(now))
    label = "Unused" if sign < 0 else "Remaining"
    values = {
        "customer": subscription["customer"],
        "amount": amount,
        "currency": price["currency"],
        "description": f"{label} time on {quantity} × {product['name']} after {when}",
        "period": {"start": now, "end": end},
    }
    pending = create_invoice_item(store, values)
    details = {"subscription": subscription["id"], "subscription_item": item["id"]}
    pending.update(
        proration=True,
        parent={"subscription_details": details, "type": "subscription_details"},
    )
    pending["pricing"]["price_details"] = {
        "price": price["id"],
        "product": price["product"],
    }
    return pending


def pending_items(store: Store, subscription: Obj) -> list[Obj]:
    """Invoice items of the subscription not yet on any invoice."""
    found = [
        item
        for item in store.where("invoiceitem", invoice=None)
        if ((item["parent"] or {}).get("subscription_details") or {}).get(
            "subscription"
        )
        == subscription["id"]
    ]
    return sorted(found, key=store.sort_key)
