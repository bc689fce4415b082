"""/v1/payment_intents, /v1/charges and /v1/refunds"""

from __future__ import annotations

from ..objects.common import update_metadata
from ..objects.payments import (
    cancel_intent,
    confirm_intent,
    create_intent,
    update_intent,
)
from ..objects.refunds import create_refund, update_refund
from ..store import Obj
from .base import METADATA, Call, Endpoint, list_page, listing, matching, retrieve

_INTENT_UPDATE = {
    **METADATA,
    "amount": "int",
    "customer": "str",
    "description": "str",
    "payment_method": "str",
    "receipt_email": "str",
}
_INTENT_CREATE = {
    **_INTENT_UPDATE,
    "automatic_payment_methods": {
        "enabled": "bool",
        "allow_redirects": ("always", "never"),
    },
    "capture_method": ("automatic", "automatic_async", "manual"),
    "confirm": "bool",
    "currency": "str",
    "off_session": "bool",
    "payment_method_types": ["str"],
    "return_url": "str",
    "setup_future_usage": ("off_session", "on_session"),
    "statement_descriptor": "str",
    "statement_descriptor_suffix": "str",
}
_CONFIRM = {"payment_method": "str", "return_url": "str", "off_session": "bool"}


def _list_intents(call: Call) -> Obj:
    intents = matching(call.store.all("payment_intent"), call.values, ("customer",))
    return list_page(call, "payment_intent", intents, "/v1/payment_intents")


def _create_intent(call: Call) -> Obj:
    values = call.values
    if values.get("customer"):
        call.store.ref("customer", values["customer"], "customer")
    intent = create_intent(call.store, values)
    if values.get("confirm"):
        confirm_intent(call.store, intent)
    return call.render(intent)


def _update_intent(call: Call) -> Obj:
    intent = call.store.get("payment_intent", call.path["id"])
    update_intent(intent, call.values)
    return call.render(intent)


def _confirm(call: Call) -> Obj:
    intent = call.store.get("payment_intent", call.path["id"])
    confirm_intent(call.store, intent, call.values.get("payment_method"))
    return call.render(intent)


def _cancel(call: Call) -> Obj:
    intent = call.store.get("payment_intent", call.path["id"])
    cancel_intent(intent, call.values.get("cancellation_reason"), call.store.now())
    return call.render(intent)


def _list_charges(call: Call) -> Obj:
    charges = matching(
        call.store.all("charge"), call.values, ("customer", "payment_intent")
    )
    return list_page(call, "charge", charges, "/v1/charges")


def _update_charge(call: Call) -> Obj:
    charge = call.store.get("charge", call.path["id"])
    if "description" in call.values:
        charge["description"] = call.values["description"]
    update_metadata(charge, call.values)
    return call.render(charge)


def _charge_refunds(call: Call) -> Obj:
    charge = call.store.get("charge", call.path["id"])
    refunds = call.store.where("refund", charge=charge["id"])
    return list_page(call, "refund", refunds, f"/v1/charges/{charge['id']}/refunds")


def _list_refunds(call: Call) -> Obj:
    refunds = matching(
        call.store.all("refund"), call.values, ("charge", "payment_intent")
    )
    return list_page(call, "refund", refunds, "/v1/refunds")


def _create_refund(call: Call) -> Obj:
    return call.render(create_refund(call.store, call.values))


def _update_refund(call: Call) -> Obj:
    refund = call.store.get("refund", call.path["id"])
    update_refund(refund, call.values)
    return call.render(refund)


ENDPOINTS = [
    listing(
        "/v1/payment_intents", _list_intents, "payment_intent", {"customer": "str"}
    ),
    Endpoint(
        "POST",
        "/v1/payment_intents",
        _create_intent,
        "payment_intent",
        _INTENT_CREATE,
        ("amount", "currency"),
    ),
    retrieve("/v1/payment_intents/{id}", "payment_intent"),
    Endpoint(
        "POST",
        "/v1/payment_intents/{id}",
        _update_intent,
        "payment_intent",
        _INTENT_UPDATE,
    ),
    Endpoint(
        "POST", "/v1/payment_intents/{id}/confirm", _confirm, "payment_intent", _CONFIRM
    ),
    Endpoint(
        "POST",
        "/v1/payment_intents/{id}/cancel",
        _cancel,
        "payment_intent",
        {
            "cancellation_reason": (
                "abandoned",
                "duplicate",
                "fraudulent",
                "requested_by_customer",
            )
        },
    ),
    listing(
        "/v1/charges",
        _list_charges,
        "charge",
        {"customer": "str", "payment_intent": "str", "transfer_group": "str"},
    ),
    retrieve("/v1/charges/{id}", "charge"),
    Endpoint(
        "POST",
        "/v1/charges/{id}",
        _update_charge,
        "charge",
        {**METADATA, "description": "str"},
    ),
    listing("/v1/charges/{id}/refunds", _charge_refunds, "refund", {}),
    listing(
        "/v1/refunds",
        _list_refunds,
        "refund",
        {"charge": "str", "payment_intent": "str"},
    ),
    Endpoint(
        "POST",
        "/v1/refunds",
        _create_refund,
        "refund",
        {
            **METADATA,
            "amount": "int",
            "charge": "str",
            "payment_intent": "str",
            "reason": ("duplicate", "fraudulent", "requested_by_customer"),
        },
    ),
    retrieve("/v1/refunds/{id}", "refund"),
    Endpoint("POST", "/v1/refunds/{id}", _update_refund, "refund", METADATA),
]
