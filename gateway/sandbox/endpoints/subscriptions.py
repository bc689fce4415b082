"""/v1/subscriptions and /v1/subscription_items"""

from __future__ import annotations

from ..objects.subscription_updates import resume_subscription, update_subscription
from ..objects.subscriptions import cancel_subscription, create_subscription
from ..store import Obj
from .base import METADATA, Call, Endpoint, list_page, listing, matching, retrieve

_STATUSES = (
    "active",
    "all",
    "canceled",
    "ended",
    "incomplete",
    "incomplete_expired",
    "past_due",
    "paused",
    "trialing",
    "unpaid",
)
_ENDED = ("canceled", "incomplete_expired")
_PAYMENT_BEHAVIORS = (
    "allow_incomplete",
    "default_incomplete",
    "error_if_incomplete",
    "pending_if_incomplete",
)
_PRORATIONS = ("always_invoice", "create_prorations", "none")
_ITEM = {"price": "str", "quantity": "int", **METADATA}
_COMMON = {
    **METADATA,
    "cancel_at_period_end": "bool",
    "collection_method": ("charge_automatically", "send_invoice"),
    "days_until_due": "int",
    "default_payment_method": "str",
    "description": "str",
    "payment_behavior": _PAYMENT_BEHAVIORS,
}
_UPDATE = {
    **_COMMON,
    "cancel_at": "int",
    "items": [{**_ITEM, "id": "str", "deleted": "bool", "clear_usage": "bool"}],
    "proration_behavior": _PRORATIONS,
}
_CREATE = {
    **_COMMON,
    "currency": "str",
    "customer": "str",
    "items": [_ITEM],
    "trial_end": "int",
    "trial_period_days": "int",
}
_CANCEL = {
    "cancellation_details": {"comment": "str", "feedback": "str"},
    "invoice_now": "bool",
    "prorate": "bool",
}
_RESUME = {
    "billing_cycle_anchor": ("now", "unchanged"),
    "payment_behavior": ("allow_incomplete", "pending_if_incomplete"),
    "proration_behavior": _PRORATIONS,
    "proration_date": "int",
}


def _list(call: Call) -> Obj:
    values = call.values
    subscriptions = matching(
        call.store.all("subscription"), values, ("customer", "collection_method")
    )
    subscriptions = [
        sub for sub in subscriptions if _status_matches(sub, values.get("status"))
    ]
    if values.get("price"):
        wanted = values["price"]
        with_price = {
            item["subscription"]
            for item in call.store.where("subscription_item", price=wanted)
        }
        subscriptions = [sub for sub in subscriptions if sub["id"] in with_price]
    return list_page(call, "subscription", subscriptions, "/v1/subscriptions")


def _status_matches(subscription: Obj, status: str | None) -> bool:
    if status == "all":
        return True
    if status == "ended":
        return subscription["status"] in _ENDED
    if status is None:
        return subscription["status"] != "canceled"
    return bool(subscription["status"] == status)


def _create(call: Call) -> Obj:
    return call.render(create_subscription(call.store, call.values))


def _update(call: Call) -> Obj:
    subscription = call.store.get("subscription", call.path["id"])
    update_subscription(call.store, subscription, call.values)
    return call.render(subscription)


def _cancel(call: Call) -> Obj:
    values = call.values
    subscription = call.store.get("subscription", call.path["id"])
    cancel_subscription(
        call.store,
        subscription,
        invoice_now=bool(values.get("invoice_now")),
        prorate_unused=bool(values.get("prorate")),
    )
    details = values.get("cancellation_details") or {}
    subscription["cancellation_details"].update(
        {name: value for name, value in details.items() if value is not None}
    )
    return call.render(subscription)


def _resume(call: Call) -> Obj:
    subscription = call.store.get("subscription", call.path["id"])
    return call.render(resume_subscription(call.store, subscription, call.values))


def _list_items(call: Call) -> Obj:
    subscription = call.store.get(
        "subscription", call.values["subscription"], param="subscription", status=400
    )
    items = call.store.where("subscription_item", subscription=subscription["id"])
    url = "/v1/subscription_items"
    return list_page(call, "subscription_item", items, url, newest_first=False)


ENDPOINTS = [
    listing(
        "/v1/subscriptions",
        _list,
        "subscription",
        {
            "collection_method": ("charge_automatically", "send_invoice"),
            "customer": "str",
            "price": "str",
            "status": _STATUSES,
        },
    ),
    Endpoint(
        "POST", "/v1/subscriptions", _create, "subscription", _CREATE, ("customer",)
    ),
    retrieve("/v1/subscriptions/{id}", "subscription"),
    Endpoint("POST", "/v1/subscriptions/{id}", _update, "subscription", _UPDATE),
    Endpoint(
        "DELETE",
        "/v1/subscriptions/{id}",
        _cancel,
        "subscription",
        _CANCEL,
    ),
    Endpoint("POST", "/v1/subscriptions/{id}/resume", _resume, "subscription", _RESUME),
    listing(
        "/v1/subscription_items",
        _list_items,
        "subscription_item",
        {"subscription": "str"},
        ("subscription",),
    ),
    retrieve("/v1/subscription_items/{id}", "subscription_item"),
]
