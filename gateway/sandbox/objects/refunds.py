"""Refunds of succeeded charges, partial or full."""

from __future__ import annotations

from typing import Any

from ..errors import StripeError
from ..store import Obj, Store
from .common import money, update_metadata


def create_refund(store: Store, values: dict[str, Any]) -> Obj:
    charge = _charge_to_refund(store, values)
    remaining = charge["amount_captured"] - charge["amount_refunded"]
    if charge["refunded"] or remaining <= 0:
        raise StripeError(
            400,
            f"Charge {charge['id']} has already been refunded.",
            code="charge_already_refunded",
        )
    amount = values.get("amount")
    amount = remaining if amount is None else amount
    _check_amount(charge, amount, remaining)
    refund = _build(store, charge, amount, values)
    charge["amount_refunded"] += amount
    charge["refunded"] = charge["amount_refunded"] >= charge["amount_captured"]
    return store.add(refund)


def update_refund(refund: Obj, values: dict[str, Any]) -> None:
    update_metadata(refund, values)


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
