"""Subscriptions, their items, and the invoices they generate.

Creating a subscription bills its first period at once: the invoice is
finalized during the request and, for automatic collection with a payment
method on file, paid; a failed or impossible payment leaves it `incomplete`.
"""

from __future__ import annotations

from typing import Any

from ..errors import StripeError
from ..store import Obj, Store
from .common import ensure_currency, update_metadata
from .customers import default_payment_method
from .invoice_lines import line_for_subscription_item
from .invoices import (
    attach_item,
    create_invoice,
    finalize_invoice,
    pay_invoice,
    refresh_totals,
    void_invoice,
)
from .prorations import pending_items, prorate

DAY = 86_400
_INTERVAL_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}


def period_end(start: int, price: Obj) -> int:
    recurring = price["recurring"] or {}
    days = _INTERVAL_DAYS[recurring.get("interval", "month")]
    return start + days * DAY * recurring.get("interval_count", 1)


def create_subscription(store: Store, values: dict[str, Any]) -> Obj:
    customer = store.ref("customer", values["customer"], "customer")
    prices = recurring_prices(store, values.get("items") or [])
    mark = store.mark()
    now = store.now()
    trial_end = _trial_end(values, now)
    subscription = _build(store, customer, prices[0]["currency"], values, now)
    subscription["trial_start"] = now if trial_end else None
    subscription["trial_end"] = trial_end
    store.add(subscription)
    ensure_currency(customer, subscription["currency"])
    for spec, price in zip(values["items"], prices, strict=True):
        end = trial_end or period_end(now, price)
        add_item(store, subscription, spec, price, (now, end))
    try:
        _bill_first_period(store, subscription, customer, values, trial_end)
    except StripeError:
        # error_if_incomplete: Stripe creates nothing when the payment fails.
        store.discard_since(mark)
        raise
    return subscription


def cancel_subscription(
    store: Store,
    subscription: Obj,
    *,
    invoice_now: bool = False,
    prorate_unused: bool = False,
) -> Obj:
    """End now; `prorate_unused` credits the unused time and `invoice_now`
    bills what is pending on a final invoice."""
    if subscription["status"] == "canceled":
        raise StripeError(
            404,
            f"No such subscription: '{subscription['id']}'",
            code="resource_missing",
            param="id",
        )
    if prorate_unused:
        for item in items_of(store, subscription):
            price = store.get("price", item["price"])
            prorate(store, subscription, item, price, item["quantity"], -1)
    if invoice_now and pending_items(store, subscription):
        invoice_pending(store, subscription, "subscription_cycle")
    now = store.now()
    subscription.update(status="canceled", canceled_at=now, ended_at=now)
    subscription["cancellation_details"]["reason"] = "cancellation_requested"
    return subscription


def invoice_pending(store: Store, subscription: Obj, reason: str) -> Obj:
    """A finalized invoice of the subscription's pending items alone."""
    invoice = _new_invoice(store, subscription, reason)
    for item in pending_items(store, subscription):
        attach_item(store, invoice, item)
    subscription["latest_invoice"] = invoice["id"]
    return finalize_invoice(store, invoice)


def renew(store: Store, subscription: Obj) -> Obj:
    """Bill the next period; a failed payment makes the subscription past_due.

    Not an API call: the demo seed uses it to age subscriptions the way time
    would in Stripe.
    """
    items = items_of(store, subscription)
    for item in items:
        price = store.get("price", item["price"])
        start = item["current_period_end"]
        item.update(
            current_period_start=start, current_period_end=period_end(start, price)
        )
    invoice = invoice_period(store, subscription, "subscription_cycle")
    attempt_payment(store, subscription, invoice, failed_status="past_due")
    return invoice


def expire_incomplete(store: Store, subscription: Obj) -> None:
    """What Stripe does 23 hours after an unpaid first invoice (seed only)."""
    invoice = store.get("invoice", subscription["latest_invoice"])
    void_invoice(store, invoice)
    subscription.update(status="incomplete_expired", ended_at=store.now())


def items_of(store: Store, subscription: Obj) -> list[Obj]:
    items = store.where("subscription_item", subscription=subscription["id"])
    return sorted(items, key=store.sort_key)


def _bill_first_period(
    store: Store,
    subscription: Obj,
    customer: Obj,
    values: dict[str, Any],
    trial_end: int | None,
) -> None:
    invoice = invoice_period(store, subscription, "subscription_create", trial_end)
    behavior = values.get("payment_behavior") or "allow_incomplete"
    if trial_end:
        subscription["status"] = "trialing"
    elif invoice["status"] == "paid" or (
        subscription["collection_method"] == "send_invoice"
    ):
        subscription["status"] = "active"
    elif behavior == "default_incomplete":
        subscription["status"] = "incomplete"
    elif behavior == "error_if_incomplete":
        pay_invoice(
            store,
            invoice,
            {"payment_method": payment_method(store, customer, subscription)},
        )
        subscription["status"] = "active"
    else:
        attempt_payment(store, subscription, invoice, failed_status="incomplete")


def payment_method(store: Store, customer: Obj, subscription: Obj) -> str | None:
    method = subscription["default_payment_method"] or default_payment_method(customer)
    return str(method) if method else None


def attempt_payment(
    store: Store, subscription: Obj, invoice: Obj, failed_status: str
) -> None:
    """Pay with the subscription's or customer's method; a decline or a
    missing method leaves the subscription in `failed_status`."""
    if invoice["status"] == "paid":
        subscription["status"] = "active"
        return
    customer = store.get("customer", subscription["customer"])
    method = payment_method(store, customer, subscription)
    if not method:
        subscription["status"] = failed_status
        return
    try:
        pay_invoice(store, invoice, {"payment_method": method})
    except StripeError as error:
        if error.status != 402:
            raise
        subscription["status"] = failed_status
        return
    subscription["status"] = "active"


def invoice_period(
    store: Store, subscription: Obj, reason: str, trial_end: int | None = None
) -> Obj:
    """Bill the items' current periods, with any pending prorations."""
    invoice = _new_invoice(store, subscription, reason)
    for item in items_of(store, subscription):
        period = {
            "start": item["current_period_start"],
            "end": item["current_period_end"],
        }
        line = line_for_subscription_item(store, invoice, item, period)
        if trial_end:
            # Trial periods are billed at zero, as Stripe's trial invoices are.
            line.update(amount=0, subtotal=0, description=_trial_text(store, item))
    for pending in pending_items(store, subscription):
        attach_item(store, invoice, pending)
    refresh_totals(store, invoice)
    subscription["latest_invoice"] = invoice["id"]
    return finalize_invoice(store, invoice)


def _new_invoice(store: Store, subscription: Obj, reason: str) -> Obj:
    return create_invoice(
        store,
        {
            "customer": subscription["customer"],
            "currency": subscription["currency"],
            "subscription": subscription["id"],
            "collection_method": subscription["collection_method"],
            "days_until_due": subscription["days_until_due"],
            "auto_advance": True,
        },
        reason,
    )


def _trial_text(store: Store, item: Obj) -> str:
    price = store.get("price", item["price"])
    return f"Trial period for {store.get('product', price['product'])['name']}"


def add_item(
    store: Store,
    subscription: Obj,
    spec: dict[str, Any],
    price: Obj,
    period: tuple[int, int],
) -> Obj:
    item: Obj = {
        "id": store.new_id("subscription_item"),
        "object": "subscription_item",
        "billed_until": None,
        "billing_thresholds": None,
        "created": store.now(),
        "current_period_end": period[1],
        "current_period_start": period[0],
        "current_trial": None,
        "discounts": [],
        "metadata": {},
        "price": price["id"],
        "quantity": spec.get("quantity") or 1,
        "subscription": subscription["id"],
        "tax_rates": [],
    }
    update_metadata(item, spec)
    return store.add(item)


def recurring_prices(store: Store, items: list[dict[str, Any]]) -> list[Obj]:
    if not items:
        raise StripeError(
            400,
            "Missing required param: items.",
            code="parameter_missing",
            param="items",
        )
    prices = [recurring_price(store, spec, index) for index, spec in enumerate(items)]
    if len({price["currency"] for price in prices}) > 1:
        raise StripeError(
            400,
            "All prices on a subscription must have the same currency.",
            param="items",
        )
    return prices


def recurring_price(store: Store, spec: dict[str, Any], index: int) -> Obj:
    param = f"items[{index}][price]"
    if not spec.get("price"):
        raise StripeError(
            400,
            f"Missing required param: {param}.",
            code="parameter_missing",
            param=param,
        )
    price = store.ref("price", spec["price"], param)
    if price["type"] != "recurring":
        raise StripeError(
            400,
            "The price specified is set to `type=one_time` but this field only "
            "accepts prices with `type=recurring`.",
            param=param,
        )
    return price


def _trial_end(values: dict[str, Any], now: int) -> int | None:
    if values.get("trial_end"):
        return int(values["trial_end"])
    days = values.get("trial_period_days")
    return now + days * DAY if days else None


def _build(
    store: Store, customer: Obj, currency: str, values: dict[str, Any], now: int
) -> Obj:
    method = values.get("collection_method") or "charge_automatically"
    subscription: Obj = {
        "id": store.new_id("subscription"),
        "object": "subscription",
        "application": None,
        "application_fee_percent": None,
        "automatic_tax": {"disabled_reason": None, "enabled": False, "liability": None},
        "billing_cycle_anchor": now,
        "billing_cycle_anchor_config": None,
        "billing_mode": {"flexible": None, "type": "classic", "updated_at": None},
        "billing_schedules": [],
        "billing_thresholds": None,
        "cancel_at": None,
        "cancel_at_period_end": bool(values.get("cancel_at_period_end")),
        "canceled_at": None,
        "cancellation_details": {
            "comment": None,
            "feedback": None,
            "feedback_option": None,
            "reason": None,
        },
        "collection_method": method,
        "created": now,
        "currency": currency,
        "customer": customer["id"],
        "customer_account": None,
        "days_until_due": values.get("days_until_due")
        if method == "send_invoice"
        else None,
        "default_payment_method": values.get("default_payment_method"),
        "default_source": None,
        "default_tax_rates": [],
        "description": values.get("description"),
        "discounts": [],
        "ended_at": None,
        "invoice_settings": {
            "account_tax_ids": None,
            "custom_fields": None,
            "description": None,
            "footer": None,
            "issuer": {"account": None, "type": "self"},
        },
        "latest_invoice": None,
        "livemode": False,
        "managed_payments": None,
        "metadata": {},
        "next_pending_invoice_item_invoice": None,
        "on_behalf_of": None,
        "pause_collection": None,
        "payment_settings": {
            "payment_method_options": None,
            "payment_method_types": None,
            "save_default_payment_method": "off",
        },
        "pending_invoice_item_interval": None,
        "pending_setup_intent": None,
        "pending_update": None,
        "presentment_details": None,
        "schedule": None,
        "start_date": now,
        "status": "incomplete",
        "status_details": None,
        "test_clock": None,
        "transfer_data": None,
        "trial_end": None,
        "trial_settings": {
            "end_behavior": {
                "billing_cycle_anchor": None,
                "missing_payment_method": "create_invoice",
            }
        },
        "trial_start": None,
    }
    update_metadata(subscription, values)
    return subscription
