"""PaymentIntents and the charges their confirmations create.

Test payment methods decide the outcome by name, as in Stripe's test mode:
`pm_card_visa` succeeds, `pm_card_chargeDeclined` and friends decline.
"""

from __future__ import annotations

from typing import Any

from ..errors import StripeError
from ..render import Renderer
from ..store import Obj, Store
from .common import address, assign, money, update_metadata
from .refunds import release

# Payment method -> (code, decline_code, message) for declining test cards.
DECLINES: dict[str, tuple[str, str | None, str]] = {
    "pm_card_chargeDeclined": (
        "card_declined",
        "generic_decline",
        "Your card was declined.",
    ),
    "pm_card_visa_chargeDeclined": (
        "card_declined",
        "generic_decline",
        "Your card was declined.",
    ),
    "pm_card_visa_chargeDeclinedInsufficientFunds": (
        "card_declined",
        "insufficient_funds",
        "Your card has insufficient funds.",
    ),
    "pm_card_visa_chargeDeclinedLostCard": (
        "card_declined",
        "lost_card",
        "Your card was declined.",
    ),
    "pm_card_visa_chargeDeclinedStolenCard": (
        "card_declined",
        "stolen_card",
        "Your card was declined.",
    ),
    "pm_card_chargeDeclinedExpiredCard": (
        "expired_card",
        None,
        "Your card has expired.",
    ),
    "pm_card_chargeDeclinedIncorrectCvc": (
        "incorrect_cvc",
        None,
        "Your card's security code is incorrect.",
    ),
    "pm_card_chargeDeclinedProcessingError": (
        "processing_error",
        None,
        "An error occurred while processing your card. Try again in a little bit.",
    ),
    "pm_card_chargeCustomerFail": (
        "card_declined",
        "generic_decline",
        "Your card was declined.",
    ),
}
_BRANDS = {"mastercard": "5555", "amex": "8431", "discover": "1117", "visa": "4242"}
CONFIRMABLE = ("requires_payment_method", "requires_confirmation", "requires_action")
CANCELABLE = (*CONFIRMABLE, "requires_capture", "processing")
_PAST = {"confirm": "confirmed", "cancel": "canceled"}
# Fields that only an unconfirmed intent may change.
_PAYMENT_FIELDS = ("amount", "currency", "payment_method")
# How long an uncaptured authorization lasts before Stripe cancels it.
AUTHORIZATION_DAYS = 7


def create_intent(store: Store, values: dict[str, Any]) -> Obj:
    intent_id = store.new_id("payment_intent")
    method = values.get("payment_method")
    intent: Obj = {
        "id": intent_id,
        "object": "payment_intent",
        "allowed_payment_method_types": None,
        "amount": values["amount"],
        "amount_capturable": 0,
        "amount_details": None,
        "amount_received": 0,
        "application": None,
        "application_fee_amount": None,
        "automatic_payment_methods": None,
        "canceled_at": None,
        "cancellation_reason": None,
        "capture_method": values.get("capture_method") or "automatic",
        "client_secret": f"{intent_id}_secret_{store.token(25)}",
        "confirmation_method": "automatic",
        "created": store.now(),
        "currency": values["currency"].lower(),
        "customer": values.get("customer"),
        "customer_account": None,
        "description": values.get("description"),
        "excluded_payment_method_types": None,
        "hooks": None,
        "last_payment_error": None,
        "latest_charge": None,
        "livemode": False,
        "managed_payments": None,
        "metadata": {},
        "next_action": None,
        "on_behalf_of": None,
        "payment_details": None,
        "payment_method": method,
        "payment_method_configuration_details": None,
        "payment_method_options": {"card": _card_options()},
        "payment_method_types": values.get("payment_method_types") or ["card"],
        "payment_record": None,
        "presentment_details": None,
        "processing": None,
        "receipt_email": values.get("receipt_email"),
        "review": None,
        "setup_future_usage": values.get("setup_future_usage"),
        "shipping": None,
        "source": None,
        "statement_descriptor": values.get("statement_descriptor"),
        "statement_descriptor_suffix": values.get("statement_descriptor_suffix"),
        "status": "requires_confirmation" if method else "requires_payment_method",
        "transfer_data": None,
        "transfer_group": None,
    }
    update_metadata(intent, values)
    return store.add(intent)


def update_intent(store: Store, intent: Obj, values: dict[str, Any]) -> None:
    if intent["status"] == "canceled":
        raise _unexpected(intent, "update", ())
    for name in _PAYMENT_FIELDS:
        if values.get(name) is not None and intent["status"] not in CONFIRMABLE:
            raise _not_updatable(intent, name)
    if values.get("customer"):
        store.ref("customer", values["customer"], "customer")
    assign(intent, values, ("amount", "customer", "description", "receipt_email"))
    if values.get("currency"):
        intent["currency"] = values["currency"].lower()
    if values.get("payment_method"):
        intent["payment_method"] = values["payment_method"]
        intent["status"] = "requires_confirmation"
    update_metadata(intent, values)


def confirm_intent(
    store: Store, intent: Obj, method: str | None = None, **changes: Any
) -> Obj:
    """Attempt the payment; a decline updates the intent, then raises 402.

    With `capture_method=manual` a successful attempt only authorizes: the
    intent waits in `requires_capture` and its charge stays uncaptured.
    """
    if intent["status"] not in CONFIRMABLE:
        raise _unexpected(intent, "confirm", CONFIRMABLE)
    intent.update({name: value for name, value in changes.items() if value})
    method = method or intent["payment_method"]
    if not method:
        raise StripeError(
            400,
            "You cannot confirm this PaymentIntent because it's missing a payment "
            "method. You can either update the PaymentIntent with a payment method "
            "and then confirm it again, or confirm it again directly with a payment "
            "method.",
            code="payment_intent_unexpected_state",
        )
    decline = DECLINES.get(method)
    charge = create_charge(store, intent, method, decline)
    intent["latest_charge"] = charge["id"]
    if decline:
        _fail(intent, charge, method, decline)
        raise card_error(store, intent, charge, method, decline)
    intent.update(payment_method=method, last_payment_error=None)
    if charge["captured"]:
        intent.update(status="succeeded", amount_received=intent["amount"])
    else:
        intent.update(status="requires_capture", amount_capturable=intent["amount"])
    return intent


def capture_intent(store: Store, intent: Obj, amount: int | None = None) -> Obj:
    """Capture all or part of an authorization; the rest is released."""
    if intent["status"] != "requires_capture":
        raise StripeError(
            400,
            "This PaymentIntent could not be captured because it has a status of "
            f"{intent['status']}. Only a PaymentIntent with one of the following "
            "statuses may be captured: requires_capture.",
            code="payment_intent_unexpected_state",
        )
    capturable = intent["amount_capturable"]
    amount = capturable if amount is None else amount
    _check_capture(intent, amount, capturable)
    charge = store.get("charge", intent["latest_charge"])
    charge.update(captured=True, amount_captured=amount)
    if amount < capturable:
        release(store, charge, capturable - amount)
    intent.update(status="succeeded", amount_received=amount, amount_capturable=0)
    return intent


def cancel_intent(store: Store, intent: Obj, reason: str | None) -> None:
    if intent["status"] not in CANCELABLE:
        raise _unexpected(intent, "cancel", CANCELABLE)
    if intent["status"] == "requires_capture":
        # Canceling an authorization gives the held amount back at once.
        release(store, store.get("charge", intent["latest_charge"]), intent["amount"])
    intent.update(
        status="canceled",
        canceled_at=store.now(),
        cancellation_reason=reason,
        amount_capturable=0,
    )


def card_error(
    store: Store,
    intent: Obj,
    charge: Obj,
    method: str,
    decline: tuple[str, str | None, str],
) -> StripeError:
    code, decline_code, message = decline
    extra: dict[str, Any] = {"charge": charge["id"]}
    if decline_code:
        extra["decline_code"] = decline_code
    extra["payment_intent"] = Renderer(store).render(intent)
    extra["payment_method_type"] = "card"
    return StripeError(402, message, type="card_error", code=code, extra=extra)


def _fail(
    intent: Obj, charge: Obj, method: str, decline: tuple[str, str | None, str]
) -> None:
    code, decline_code, message = decline
    error: Obj = {"charge": charge["id"], "code": code}
    if decline_code:
        error["decline_code"] = decline_code
    error.update(
        doc_url=f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}",
        message=message,
        payment_method_type="card",
        type="card_error",
    )
    intent.update(
        status="requires_payment_method",
        payment_method=None,
        last_payment_error=error,
    )


def create_charge(
    store: Store,
    intent: Obj,
    method: str,
    decline: tuple[str, str | None, str] | None,
) -> Obj:
    charge_id = store.new_id("charge")
    paid = decline is None
    captured = paid and intent["capture_method"] != "manual"
    amount = intent["amount"]
    charge: Obj = {
        "id": charge_id,
        "object": "charge",
        "amount": amount,
        "amount_captured": amount if captured else 0,
        "amount_refunded": 0,
        "application": None,
        "application_fee": None,
        "application_fee_amount": None,
        "authorization_code": None,
        "balance_transaction": None,
        "billing_details": _billing_details(),
        "calculated_statement_descriptor": "SANDBOX",
        "captured": captured,
        "created": store.now(),
        "currency": intent["currency"],
        "customer": intent["customer"],
        "description": intent["description"],
        "disputed": False,
        "failure_balance_transaction": None,
        "failure_code": decline[0] if decline else None,
        "failure_message": decline[2] if decline else None,
        "fraud_details": {},
        "level3": None,
        "livemode": False,
        "metadata": {},
        "on_behalf_of": None,
        "outcome": _outcome(decline),
        "paid": paid,
        "payment_intent": intent["id"],
        "payment_method": method,
        "payment_method_details": _card_details(
            method,
            amount if paid else None,
            store.now() if paid and not captured else None,
        ),
        "presentment_details": None,
        "radar_options": None,
        "receipt_email": intent["receipt_email"],
        "receipt_number": None,
        "receipt_url": f"https://pay.stripe.com/receipts/payment/{charge_id}",
        "refunded": False,
        "review": None,
        "shipping": None,
        "source": None,
        "source_transfer": None,
        "statement_descriptor": intent["statement_descriptor"],
        "statement_descriptor_suffix": intent["statement_descriptor_suffix"],
        "status": "succeeded" if paid else "failed",
        "transfer": None,
        "transfer_data": None,
        "transfer_group": None,
    }
    return store.add(charge)


def _check_capture(intent: Obj, amount: int, capturable: int) -> None:
    if amount < 1:
        raise StripeError(
            400,
            "The amount to capture must be a positive integer.",
            param="amount_to_capture",
        )
    if amount > capturable:
        currency = intent["currency"]
        raise StripeError(
            400,
            f"The amount to capture ({money(amount, currency)}) is greater than the "
            f"amount capturable on this PaymentIntent ({money(capturable, currency)}).",
            code="amount_too_large",
            param="amount_to_capture",
        )


def _not_updatable(intent: Obj, name: str) -> StripeError:
    return StripeError(
        400,
        f"This PaymentIntent's {name} could not be updated because it has a status "
        f"of {intent['status']}. You may only update the {name} of a PaymentIntent "
        f"with one of the following statuses: {', '.join(CONFIRMABLE)}.",
        code="payment_intent_unexpected_state",
        param=name,
    )


def _unexpected(intent: Obj, action: str, allowed: tuple[str, ...]) -> StripeError:
    status = intent["status"]
    if not allowed:
        message = f"This PaymentIntent's status is {status}, so it cannot be updated."
    else:
        message = (
            f"You cannot {action} this PaymentIntent because it has a status of "
            f"{status}. Only a PaymentIntent with one of the following statuses may "
            f"be {_PAST[action]}: {', '.join(allowed)}."
        )
    return StripeError(400, message, code="payment_intent_unexpected_state")


def _card_options() -> Obj:
    return {
        "capture_method": None,
        "installments": None,
        "mandate_options": None,
        "network": None,
        "request_extended_authorization": None,
        "request_incremental_authorization": None,
        "request_multicapture": None,
        "request_overcapture": None,
        "request_three_d_secure": "automatic",
        "require_cvc_recollection": None,
        "setup_credential_usage": None,
        "setup_future_usage": None,
        "statement_descriptor_suffix_kana": None,
        "statement_descriptor_suffix_kanji": None,
        "stored_credential_usage": None,
    }


def _billing_details() -> Obj:
    return {
        "address": address({}),
        "email": None,
        "name": None,
        "phone": None,
        "tax_id": None,
    }


def _outcome(decline: tuple[str, str | None, str] | None) -> Obj:
    if decline is None:
        network, reason, kind = "approved_by_network", None, "authorized"
        message = "Payment complete."
    else:
        network, reason, kind = (
            "declined_by_network",
            decline[1] or decline[0],
            "issuer_declined",
        )
        message = "The bank did not return any further details with this decline."
    return {
        "advice_code": None,
        "network_advice_code": None,
        "network_decline_code": None,
        "network_status": network,
        "reason": reason,
        "risk_level": "normal",
        "risk_score": 32,
        "rule": None,
        "seller_message": message,
        "type": kind,
    }


def _card_details(
    method: str, authorized: int | None, authorized_at: int | None
) -> Obj:
    brand = next((name for name in _BRANDS if name in method), "visa")
    card = {
        "amount_authorized": authorized,
        "authorization_code": None,
        "brand": brand,
        "capture_before": None
        if authorized_at is None
        else authorized_at + AUTHORIZATION_DAYS * 86_400,
        "checks": {
            "address_line1_check": None,
            "address_postal_code_check": None,
            "cvc_check": "pass",
        },
        "country": "US",
        "description": None,
        "electronic_commerce_indicator": None,
        "exp_month": 12,
        "exp_year": 2034,
        "extended_authorization": {"status": "disabled"},
        "fingerprint": None,
        "funding": "credit",
        "iin": None,
        "incremental_authorization": {"status": "unavailable"},
        "installments": None,
        "issuer": None,
        "last4": _BRANDS[brand],
        "mandate": None,
        "moto": None,
        "multicapture": {"status": "unavailable"},
        "network": brand,
        "network_token": {"used": False},
        "network_transaction_id": None,
        "overcapture": {
            "maximum_amount_capturable": authorized or 0,
            "status": "unavailable",
        },
        "regulated_status": "unregulated",
        "setup_credential_usage": None,
        "stored_credential_usage": None,
        "three_d_secure": None,
        "transaction_link_id": None,
        "wallet": None,
    }
    return {"card": card, "type": "card"}
