"""Changes to a live subscription: its items and their prorations, deferred
cancellation, and resuming a paused one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import StripeError, no_such
from ..store import Obj, Store
from .common import update_metadata
from .prorations import pending_items, prorate
from .subscriptions import (
    add_item,
    attempt_payment,
    invoice_pending,
    invoice_period,
    items_of,
    pay_invoice,
    payment_method,
    period_end,
    recurring_price,
)

_SETTABLE = ("description", "default_payment_method", "collection_method")
_ENDED = ("canceled", "incomplete_expired")


@dataclass
class ItemChange:
    """One `items[i]` entry, checked: `item` is None for a new item."""

    item: Obj | None
    price: Obj
    quantity: int
    deleted: bool
    spec: dict[str, Any]


def update_subscription(
    store: Store, subscription: Obj, values: dict[str, Any]
) -> None:
    if subscription["status"] in _ENDED and set(values) - {
        "metadata",
        "cancellation_details",
    }:
        raise StripeError(
            400,
            "A canceled subscription can only update its cancellation_details "
            "and metadata.",
            code="invalid_canceled_subscription_fields",
        )
    changes = _item_changes(store, subscription, values.get("items") or [])
    for name in _SETTABLE:
        if name in values:
            subscription[name] = values[name]
    if "days_until_due" in values:
        subscription["days_until_due"] = values["days_until_due"]
    _schedule_cancel(store, subscription, values)
    update_metadata(subscription, values)
    if changes:
        behavior = values.get("proration_behavior") or "create_prorations"
        _apply(store, subscription, changes, behavior != "none")
        if behavior == "always_invoice" and pending_items(store, subscription):
            invoice = invoice_pending(store, subscription, "subscription_update")
            _collect(store, subscription, invoice, values.get("payment_behavior"))


def resume_subscription(store: Store, subscription: Obj, values: dict[str, Any]) -> Obj:
    """Resuming bills a new period from now unless the anchor is unchanged;
    until that invoice is paid the subscription stays paused."""
    if subscription["status"] != "paused":
        raise StripeError(
            400,
            f"Subscription {subscription['id']} cannot be resumed because it has a "
            f"status of {subscription['status']}. Only a subscription with a status "
            "of paused may be resumed.",
        )
    if subscription["collection_method"] != "charge_automatically":
        raise StripeError(
            400,
            "Only subscriptions with `collection_method=charge_automatically` can "
            "be resumed.",
        )
    if values.get("billing_cycle_anchor") == "unchanged":
        subscription["status"] = "active"
        return subscription
    now = store.now()
    for item in items_of(store, subscription):
        price = store.get("price", item["price"])
        item.update(current_period_start=now, current_period_end=period_end(now, price))
    subscription["billing_cycle_anchor"] = now
    invoice = invoice_period(store, subscription, "subscription_update")
    attempt_payment(store, subscription, invoice, failed_status="paused")
    return subscription


def _schedule_cancel(store: Store, subscription: Obj, values: dict[str, Any]) -> None:
    if "cancel_at_period_end" in values:
        at_end = bool(values["cancel_at_period_end"])
        subscription["cancel_at_period_end"] = at_end
        end = min(item["current_period_end"] for item in items_of(store, subscription))
        subscription["cancel_at"] = end if at_end else None
    elif "cancel_at" in values:
        subscription["cancel_at"] = values["cancel_at"]
        subscription["cancel_at_period_end"] = False


def _item_changes(
    store: Store, subscription: Obj, specs: list[dict[str, Any]]
) -> list[ItemChange]:
    """Every `items[i]` checked before anything changes."""
    changes = [
        _item_change(store, subscription, spec, index)
        for index, spec in enumerate(specs)
    ]
    deleted = {
        change.item["id"] for change in changes if change.item and change.deleted
    }
    added = [change for change in changes if change.item is None]
    kept = [i for i in items_of(store, subscription) if i["id"] not in deleted]
    if changes and not kept and not added:
        raise StripeError(
            400,
            "A subscription must have at least one active item.",
            param="items",
        )
    for change in changes:
        if change.price["currency"] != subscription["currency"]:
            raise StripeError(
                400,
                "All prices on a subscription must have the same currency.",
                param="items",
            )
    return changes


def _item_change(
    store: Store, subscription: Obj, spec: dict[str, Any], index: int
) -> ItemChange:
    quantity = spec.get("quantity")
    if not spec.get("id"):
        price = recurring_price(store, spec, index)
        return ItemChange(None, price, quantity or 1, False, spec)
    param = f"items[{index}][id]"
    item = store.ref("subscription_item", spec["id"], param)
    if item["subscription"] != subscription["id"]:
        raise no_such("subscription_item", spec["id"], param, 400)
    price = store.get("price", item["price"])
    if spec.get("price"):
        price = recurring_price(store, spec, index)
    deleted = bool(spec.get("deleted"))
    return ItemChange(item, price, quantity or item["quantity"], deleted, spec)


def _apply(
    store: Store, subscription: Obj, changes: list[ItemChange], prorated: bool
) -> None:
    period = _period(store, subscription)
    for change in changes:
        item = change.item
        if item is None:
            item = add_item(store, subscription, change.spec, change.price, period)
            if prorated:
                prorate(store, subscription, item, change.price, change.quantity, 1)
            continue
        same = (
            change.price["id"] == item["price"] and change.quantity == item["quantity"]
        )
        if prorated and (change.deleted or not same):
            old = store.get("price", item["price"])
            prorate(store, subscription, item, old, item["quantity"], -1)
        if change.deleted:
            store.delete("subscription_item", item["id"])
            continue
        if prorated and not same:
            prorate(store, subscription, item, change.price, change.quantity, 1)
        item.update(price=change.price["id"], quantity=change.quantity)
        update_metadata(item, change.spec)


def _period(store: Store, subscription: Obj) -> tuple[int, int]:
    # A new item joins the billing cycle of the items already there.
    first = items_of(store, subscription)[0]
    return first["current_period_start"], first["current_period_end"]


def _collect(
    store: Store, subscription: Obj, invoice: Obj, behavior: str | None
) -> None:
    if behavior == "default_incomplete":
        return
    if behavior == "error_if_incomplete":
        customer = store.get("customer", subscription["customer"])
        method = payment_method(store, customer, subscription)
        pay_invoice(store, invoice, {"payment_method": method} if method else {})
        return
    attempt_payment(store, subscription, invoice, failed_status="past_due")
