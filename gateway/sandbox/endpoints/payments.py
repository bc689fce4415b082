"""/v1/payment_intents, /v1/charges and /v1/refunds"""

from __future__ import annotations

from ..errors import StripeError
from ..objects.common import update_metadata
from ..objects.invoices import settle_intent
from ..objects.payments import (
    cancel_intent,
    capture_intent,
    confirm_intent,
    create_intent,
    update_intent,
)
from ..objects.refunds import cancel_refund, create_refund, update_refund
from ..store import Obj
from .base import METADATA, Call, Endpoint, list_page, listing, matching, retrieve

_CAPTURE_METHODS = ("automatic", "automatic_async", "manual")
_INTENT_UPDATE = {
    **METADATA,
    "amount": "int",
    "currency": "str",
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
    "capture_method": _CAPTURE_METHODS,
    "confirm": "bool",
    "off_session": "bool",
    "payment_method_types": ["str"],
    "return_url": "str",
    "setup_future_usage": ("off_session", "on_session"),
    "statement_descriptor": "str",
    "statement_descriptor_suffix": "str",
}
_CONFIRM = {
    "capture_method": _CAPTURE_METHODS,
    "off_session": "bool",
    "payment_method": "str",
    "receipt_email": "str",
    "return_url": "str",
}
_CAPTURE = {
    **METADATA,
    "amount_to_capture": "int",
    "final_capture": "bool",
    "statement_descriptor": "str",
    "statement_descriptor_suffix": "str",
}
_CHARGE_CAPTURE = {
    "amount": "int",
    "receipt_email": "str",
    "statement_descriptor": "str",
    "statement_descriptor_suffix": "str",
}


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
    update_intent(call.store, intent, call.values)
    return call.render(intent)


def _confirm(call: Call) -> Obj:
    values = call.values
    intent = call.store.get("payment_intent", call.path["id"])
    confirm_intent(
        call.store,
        intent,
        values.get("payment_method"),
        capture_method=values.get("capture_method"),
        receipt_email=values.get("receipt_email"),
    )
    settle_intent(call.store, intent)
    return call.render(intent)


def _capture(call: Call) -> Obj:
    values = call.values
    intent = call.store.get("payment_intent", call.path["id"])
    capture_intent(call.store, intent, values.get("amount_to_capture"))
    update_metadata(intent, values)
    settle_intent(call.store, intent)
    return call.render(intent)


def _cancel(call: Call) -> Obj:
    intent = call.store.get("payment_intent", call.path["id"])
    cancel_intent(call.store, intent, call.values.get("cancellation_reason"))
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


def _capture_charge(call: Call) -> Obj:
    charge = call.store.get("charge", call.path["id"])
    if charge["captured"]:
        raise StripeError(
            400,
            f"Charge {charge['id']} has already been captured.",
            code="charge_already_captured",
        )
    if charge["status"] != "succeeded":
        raise StripeError(
            400,
            f"Charge {charge['id']} has a status of {charge['status']} and cannot "
            "be captured.",
        )
    intent = call.store.get("payment_intent", charge["payment_intent"])
    capture_intent(call.store, intent, call.values.get("amount"))
    if call.values.get("receipt_email"):
        charge["receipt_email"] = call.values["receipt_email"]
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


def _cancel_refund(call: Call) -> Obj:
    refund = call.store.get("refund", call.path["id"])
    return call.render(cancel_refund(call.store, refund))


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
        "POST", "/v1/payment_intents/{id}/capture", _capture, "payment_intent", _CAPTURE
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
    Endpoint(
        "POST", "/v1/charges/{id}/capture", _capture_charge, "charge", _CHARGE_CAPTURE
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
    Endpoint("POST", "/v1/refunds/{id}/cancel", _cancel_refund, "refund"),
]
