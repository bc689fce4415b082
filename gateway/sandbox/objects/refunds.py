"""Refunds of succeeded charges, partial or full, and the releases of
authorizations that were never captured (which Stripe also records as
refunds)."""

from __future__ import annotations

from typing import Any

from ..errors import StripeError
from ..store import Obj, Store
from .common import money, update_metadata


def create_refund(store: Store, values: dict[str, Any]) -> Obj:
    charge = _charge_to_refund(store, values)
    _require_captured(charge)
    # Released parts of an authorization count as refunded, so what is left is
    # the whole amount less everything refunded or released.
    remaining = charge["amount"] - charge["amount_refunded"]
    if charge["refunded"] or remaining <= 0:
        raise StripeError(
            400,
            f"Charge {charge['id']} has already been refunded.",
            code="charge_already_refunded",
        )
    amount = values.get("amount")
    amount = remaining if amount is None else amount
    _check_amount(charge, amount, remaining)
    return _apply(store, charge, _build(store, charge, amount, values))


def release(store: Store, charge: Obj, amount: int) -> Obj:
    """Give back the uncaptured `amount` of an authorization."""
    return _apply(store, charge, _build(store, charge, amount, {}))


def update_refund(refund: Obj, values: dict[str, Any]) -> None:
    update_metadata(refund, values)


def cancel_refund(store: Store, refund: Obj) -> Obj:
    if refund["status"] != "requires_action":
        raise StripeError(
            400,
            f"Refund {refund['id']} cannot be canceled because it has a status of "
            f"{refund['status']}. Only a refund with a status of requires_action "
            "can be canceled.",
            code="refund_cancel_invalid_state",
        )
    refund["status"] = "canceled"
    charge = store.get("charge", refund["charge"])
    charge["amount_refunded"] -= refund["amount"]
    charge["refunded"] = False
    return refund


def _apply(store: Store, charge: Obj, refund: Obj) -> Obj:
    charge["amount_refunded"] += refund["amount"]
    charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
    return store.add(refund)


def _require_captured(charge: Obj) -> None:
    if charge["status"] != "succeeded":
        raise StripeError(
            400,
            f"Charge {charge['id']} has a status of {charge['status']} and cannot "
            "be refunded.",
            code="charge_not_refundable",
            param="charge",
        )
    if not charge["captured"]:
        raise StripeError(
            400,
            f"Charge {charge['id']} has not been captured. Cancel its "
            "PaymentIntent to release the authorization instead.",
            code="charge_not_refundable",
            param="charge",
        )


def _charge_to_refund(store: Store, values: dict[str, Any]) -> Obj:
    if values.get("charge"):
        return store.ref("charge", values["charge"], "charge")
    if not values.get("payment_intent"):
        raise StripeError(
            400,
            "One of the following params should be provided for this request: "
            "payment_intent or charge.",
            code="parameter_missing",
        )
    intent = store.ref("payment_intent", values["payment_intent"], "payment_intent")
    if intent["status"] != "succeeded" or not intent["latest_charge"]:
        raise StripeError(
            400,
            f"This PaymentIntent ({intent['id']}) does not have a successful charge "
            "to refund.",
            code="charge_not_refundable",
            param="payment_intent",
        )
    return store.get("charge", intent["latest_charge"])


def _check_amount(charge: Obj, amount: int, remaining: int) -> None:
    currency = charge["currency"]
    if amount < 1:
        raise StripeError(
            400, "Refund amount must be a positive integer.", param="amount"
        )
    if amount > remaining:
        raise StripeError(
            400,
            f"Refund amount ({money(amount, currency)}) is greater than unrefunded "
            f"amount on charge ({money(remaining, currency)})",
            param="amount",
        )


def _build(store: Store, charge: Obj, amount: int, values: dict[str, Any]) -> Obj:
    refund: Obj = {
        "id": store.new_id("refund"),
        "object": "refund",
        "amount": amount,
        "balance_transaction": None,
        "charge": charge["id"],
        "created": store.now(),
        "currency": charge["currency"],
        "customer": charge["customer"],
        "customer_account": None,
        "description": None,
        "destination_details": {
            "card": {
                "reference": None,
                "reference_status": "pending",
                "reference_type": "acquirer_reference_number",
                "type": "refund",
            },
            "type": "card",
        },
        "failure_balance_transaction": None,
        "failure_reason": None,
        "instructions_email": None,
        "metadata": {},
        "next_action": None,
        "payment_intent": charge["payment_intent"],
        "payment_method": charge["payment_method"],
        "pending_reason": None,
        "presentment_details": None,
        "reason": values.get("reason"),
        "receipt_number": None,
        "source_transfer_reversal": None,
        "status": "succeeded",
        "transfer_reversal": None,
    }
    update_metadata(refund, values)
    return refund
