"""/v1/subscriptions and /v1/subscription_items"""

from __future__ import annotations

from ..objects.subscriptions import (
    cancel_subscription,
    create_subscription,
    update_subscription,
)
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
_UPDATE = {
    **METADATA,
    "cancel_at_period_end": "bool",
    "default_payment_method": "str",
    "description": "str",
}
_CREATE = {
    **_UPDATE,
    "collection_method": ("charge_automatically", "send_invoice"),
    "currency": "str",
    "customer": "str",
    "days_until_due": "int",
    "items": [{"price": "str", "quantity": "int", **METADATA}],
    "payment_behavior": (
        "allow_incomplete",
        "default_incomplete",
        "error_if_incomplete",
        "pending_if_incomplete",
    ),
    "trial_end": "int",
    "trial_period_days": "int",
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
    subscription = call.store.get("subscription", call.path["id"])
    return call.render(cancel_subscription(call.store, subscription))


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
        {"invoice_now": "bool", "prorate": "bool"},
    ),
    listing(
        "/v1/subscription_items",
        _list_items,
        "subscription_item",
        {"subscription": "str"},
        ("subscription",),
    ),
    retrieve("/v1/subscription_items/{id}", "subscription_item"),
]
