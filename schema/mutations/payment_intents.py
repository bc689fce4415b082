"""Taking payments: payment intents, created, confirmed, captured and canceled.

Amounts are checked against the currency's minor unit and Stripe's minimum
charge before any call. An amount captured must be in the currency of its
intent, which costs one read to check.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON

from resolvers.errors import BadUserInput
from resolvers.stripe_api import StripeDict, check_id
from schema.base import GatewayInfo
from schema.money import to_decimal
from schema.mutations.common import (
    MoneyInput,
    UserError,
    attempt,
    checked_key,
    checked_metadata,
    minor_units,
    params,
    problem,
)
from schema.payments import PaymentIntent

# Stripe's minimum charge in minor units, where it is fixed in the currency
# itself; other currencies are checked by Stripe after conversion.
MINIMUM_CHARGE = dict(
    usd=50, aed=200, aud=50, bgn=100, brl=50, cad=50, chf=50, czk=1500,
    dkk=250, eur=50, gbp=30, hkd=400, huf=17500, inr=50, jpy=50, mxn=1000,
    myr=200, nok=300, nzd=50, pln=200, ron=200, sek=300, sgd=50, thb=1000,
)  # fmt: skip


@strawberry.enum(description="When an authorised payment is captured.")
class CaptureMethodInput(enum.Enum):
    AUTOMATIC = "automatic"
    MANUAL = "manual"


@strawberry.enum(description="Why a payment intent is canceled.")
class CancellationReasonInput(enum.Enum):
    ABANDONED = "abandoned"
    DUPLICATE = "duplicate"
    FRAUDULENT = "fraudulent"
    REQUESTED_BY_CUSTOMER = "requested_by_customer"


@strawberry.input(description="A new payment intent, paid by card.")
class PaymentIntentCreateInput:
    amount: MoneyInput = strawberry.field(
        description="The amount to collect, at least Stripe's minimum charge."
    )
    customer: strawberry.ID | None = strawberry.field(
        default=None, description="The customer paying."
    )
    description: str | None = strawberry.field(
        default=None, description="An arbitrary description."
    )
    metadata: JSON | None = strawberry.field(
        default=None, description="Key-value pairs to attach."
    )
    payment_method: str | None = strawberry.field(
        default=None, description="The card to charge, such as pm_card_visa."
    )
    capture_method: CaptureMethodInput | None = strawberry.field(
        default=None,
        description="MANUAL only authorises, to capture later; AUTOMATIC by default.",
    )
    confirm: bool | None = strawberry.field(
        default=None, description="Charge at once; needs paymentMethod."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="Makes a retried create safe."
    )


@strawberry.input(
    description="Changes to a payment intent; omitted fields stay as they are."
)
class PaymentIntentUpdateInput:
    id: strawberry.ID = strawberry.field(description="The payment intent to change.")
    amount: MoneyInput | None = strawberry.field(
        default=None, description="The new amount and currency."
    )
    description: str | None = strawberry.field(
        default=None, description="An arbitrary description."
    )
    metadata: JSON | None = strawberry.field(
        default=None, description="Keys to set; an empty value removes a key."
    )
    payment_method: str | None = strawberry.field(
        default=None, description="The card to charge; it must be confirmed again."
    )
    receipt_email: str | None = strawberry.field(
        default=None, description="Where the receipt is sent."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="Makes a retried update safe."
    )


@strawberry.input(description="A payment intent to charge now.")
class PaymentIntentConfirmInput:
    id: strawberry.ID = strawberry.field(description="The payment intent to confirm.")
    payment_method: str | None = strawberry.field(
        default=None, description="The card to charge, if not the one already set."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="Makes a retried confirm safe."
    )


@strawberry.input(description="An authorised payment intent to capture.")
class PaymentIntentCaptureInput:
    id: strawberry.ID = strawberry.field(description="The payment intent to capture.")
    amount_to_capture: MoneyInput | None = strawberry.field(
        default=None,
        description="Capture part of the authorisation and release the rest; "
        "all of it by default.",
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="Makes a retried capture safe."
    )


@strawberry.input(description="A payment intent to cancel.")
class PaymentIntentCancelInput:
    id: strawberry.ID = strawberry.field(description="The payment intent to cancel.")
    cancellation_reason: CancellationReasonInput | None = strawberry.field(
        default=None, description="Why it is canceled."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="Makes a retried cancel safe."
    )


@strawberry.type(description="The payment intent a mutation wrote, or why it did not.")
class PaymentIntentPayload:
    payment_intent: PaymentIntent | None = strawberry.field(
        description="The payment intent as it is now, also after a decline."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Problems with the input or the payment; empty on success."
    )


def charge_amount(money: MoneyInput, field: str) -> tuple[int, str]:
    """An amount to charge: in minor units, and at least Stripe's minimum."""
    amount, currency = minor_units(money, field)
    minimum = MINIMUM_CHARGE.get(currency)
    if minimum is not None and amount < minimum:
        least = to_decimal(minimum, currency)
        raise problem(
            field,
            "INVALID",
            f"{currency.upper()} payments must be at least {least} "
            "(Stripe's minimum charge).",
        )
    return amount, currency


async def in_currency_of(
    info: GatewayInfo,
    money: tuple[int, str],
    field: str,
    object_type: str,
    object_id: str,
) -> int:
    """An amount, checked to be in the currency of the object it moves money on."""
    amount, currency = money
    target = await info.context.load(object_type, object_id)
    # Only its currency was needed; the write about to happen changes the rest.
    info.context.loaders.forget(target)
    if target["currency"] != currency:
        raise problem(
            field,
            "INVALID",
            f"{object_id} is in {target['currency'].upper()}, not {currency.upper()}.",
        )
    return amount


async def _intent_payload(
    info: GatewayInfo, write: Callable[[], Awaitable[StripeDict]]
) -> PaymentIntentPayload:
    """Run an intent write; after a decline, the intent in its new state too."""
    named: str | None = None

    async def written() -> PaymentIntent:
        nonlocal named
        try:
            return PaymentIntent.from_stripe(await write())
        except BadUserInput as exc:
            # Stripe names the intent a failed payment left behind.
            named = exc.extensions.get("paymentIntent")
            raise

    intent, errors = await attempt(written)
    if intent is None and named is not None:
        info.context.loaders.forget({"object": "payment_intent", "id": named})
        intent = PaymentIntent.from_stripe(
            await info.context.load("payment_intent", named)
        )
    return PaymentIntentPayload(payment_intent=intent, user_errors=errors)


def _create_fields(input: PaymentIntentCreateInput) -> dict[str, Any]:
    amount, currency = charge_amount(input.amount, "amount")
    if input.confirm and not input.payment_method:
        raise problem("paymentMethod", "REQUIRED", "Confirming needs a paymentMethod.")
    capture = input.capture_method
    return params(
        amount=amount,
        currency=currency,
        customer=input.customer,
        description=input.description,
        metadata=checked_metadata(input.metadata),
        payment_method=input.payment_method,
        capture_method=None if capture is None else capture.value,
        confirm=input.confirm,
        # Card only, so a confirm on the server needs no return_url.
        payment_method_types=["card"],
    )


@strawberry.type
class PaymentIntentMutations:
    @strawberry.mutation(
        description="Create a payment intent, and with confirm charge it at once."
    )
    async def payment_intent_create(
        self,
        info: GatewayInfo,
        input: Annotated[
            PaymentIntentCreateInput, strawberry.argument(description="What to write.")
        ],
    ) -> PaymentIntentPayload | None:
        async def write() -> StripeDict:
            fields = _create_fields(input)
            key = checked_key(input.idempotency_key)
            return await info.context.write("/v1/payment_intents", fields, key)

        return await _intent_payload(info, write)

    @strawberry.mutation(description="Change a payment intent that is not yet paid.")
    async def payment_intent_update(
        self,
        info: GatewayInfo,
        input: Annotated[
            PaymentIntentUpdateInput, strawberry.argument(description="What to write.")
        ],
    ) -> PaymentIntentPayload | None:
        async def write() -> StripeDict:
            check_id(input.id)
            fields = params(
                description=input.description,
                metadata=checked_metadata(input.metadata),
                payment_method=input.payment_method,
                receipt_email=input.receipt_email,
            )
            key = checked_key(input.idempotency_key)
            if input.amount is not None:
                amount, currency = charge_amount(input.amount, "amount")
                fields.update(amount=amount, currency=currency)
            path = f"/v1/payment_intents/{input.id}"
            return await info.context.write(path, fields, key)

        return await _intent_payload(info, write)

    @strawberry.mutation(description="Charge a payment intent's payment method.")
    async def payment_intent_confirm(
        self,
        info: GatewayInfo,
        input: Annotated[
            PaymentIntentConfirmInput, strawberry.argument(description="What to write.")
        ],
    ) -> PaymentIntentPayload | None:
        async def write() -> StripeDict:
            check_id(input.id)
            key = checked_key(input.idempotency_key)
            path = f"/v1/payment_intents/{input.id}/confirm"
            fields = params(payment_method=input.payment_method)
            return await info.context.write(path, fields, key)

        return await _intent_payload(info, write)

    @strawberry.mutation(
        description="Capture an authorised payment intent, in full or in part."
    )
    async def payment_intent_capture(
        self,
        info: GatewayInfo,
        input: Annotated[
            PaymentIntentCaptureInput, strawberry.argument(description="What to write.")
        ],
    ) -> PaymentIntentPayload | None:
        async def write() -> StripeDict:
            check_id(input.id)
            key = checked_key(input.idempotency_key)
            fields: dict[str, Any] = {}
            if input.amount_to_capture is not None:
                amount = minor_units(input.amount_to_capture, "amountToCapture")
                fields["amount_to_capture"] = await in_currency_of(
                    info, amount, "amountToCapture", "payment_intent", input.id
                )
            path = f"/v1/payment_intents/{input.id}/capture"
            return await info.context.write(path, fields, key)

        return await _intent_payload(info, write)

    @strawberry.mutation(
        description="Cancel a payment intent that is not yet paid; an "
        "authorisation is released."
    )
    async def payment_intent_cancel(
        self,
        info: GatewayInfo,
        input: Annotated[
            PaymentIntentCancelInput, strawberry.argument(description="What to write.")
        ],
    ) -> PaymentIntentPayload | None:
        async def write() -> StripeDict:
            check_id(input.id)
            key = checked_key(input.idempotency_key)
            reason = input.cancellation_reason
            fields = params(cancellation_reason=reason.value if reason else None)
            path = f"/v1/payment_intents/{input.id}/cancel"
            return await info.context.write(path, fields, key)

        return await _intent_payload(info, write)
