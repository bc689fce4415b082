"""/v1/customers"""

from __future__ import annotations

from ..objects.customers import create_customer, update_customer
from ..objects.subscriptions import cancel_subscription
from ..store import Obj
from .base import (
    ADDRESS,
    METADATA,
    Call,
    Endpoint,
    deleted,
    list_page,
    listing,
    matching,
)

_FIELDS = {
    **METADATA,
    "address": ADDRESS,
    "balance": "int",
    "description": "str",
    "email": "str",
    "invoice_settings": {"default_payment_method": "str", "footer": "str"},
    "name": "str",
    "payment_method": "str",
    "phone": "str",
    "preferred_locales": ["str"],
    "shipping": {"address": ADDRESS, "name": "str", "phone": "str"},
    "tax_exempt": ("exempt", "none", "reverse"),
}


def _list(call: Call) -> Obj:
    customers = matching(call.store.all("customer"), call.values, ("email",))
    return list_page(call, "customer", customers, "/v1/customers")


def _create(call: Call) -> Obj:
    return call.render(create_customer(call.store, call.values))


def _retrieve(call: Call) -> Obj:
    customer_id = call.path["id"]
    if customer_id in call.store.tombstones:
        return call.store.tombstones[customer_id]
    return call.render(call.store.get("customer", customer_id))


def _update(call: Call) -> Obj:
    customer = call.store.get("customer", call.path["id"])
    update_customer(customer, call.values)
    return call.render(customer)


def _delete(call: Call) -> Obj:
    customer = call.store.get("customer", call.path["id"])
    # Deleting a customer ends their subscriptions, as in Stripe.
    for subscription in call.store.where("subscription", customer=customer["id"]):
        if subscription["status"] not in ("canceled", "incomplete_expired"):
            cancel_subscription(call.store, subscription)
    call.store.delete("customer", customer["id"])
    call.store.tombstones[customer["id"]] = deleted(customer)
    return deleted(customer)


def _subscriptions(call: Call) -> Obj:
    customer = call.store.get("customer", call.path["id"])
    subscriptions = call.store.where("subscription", customer=customer["id"])
    url = f"/v1/customers/{customer['id']}/subscriptions"
    return list_page(call, "subscription", subscriptions, url)


ENDPOINTS = [
    listing("/v1/customers", _list, "customer", {"email": "str"}),
    Endpoint("POST", "/v1/customers", _create, "customer", _FIELDS),
    Endpoint("GET", "/v1/customers/{id}", _retrieve, "customer"),
    Endpoint("POST", "/v1/customers/{id}", _update, "customer", _FIELDS),
    Endpoint("DELETE", "/v1/customers/{id}", _delete, "deleted"),
    listing("/v1/customers/{id}/subscriptions", _subscriptions, "subscription", {}),
]
