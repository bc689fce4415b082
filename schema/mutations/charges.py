"""Charges described and captured, and refunds made, changed and canceled.

An amount captured or refunded must be in the currency of its charge or
intent, which costs one read to check.
"""

from __future__ import annotations

import enum
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON

from resolvers.errors import BadUserInput, IdempotencyConflict
from resolvers.stripe_api import check_id
from schema.base import GatewayInfo
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
from schema.mutations.payment_intents import in_currency_of
from schema.payments import Charge, Refund


@strawberry.enum(description="Why a refund is made.")
class RefundReasonInput(enum.Enum):
    DUPLICATE = "duplicate"
    FRAUDULENT = "fraudulent"
    REQUESTED_BY_CUSTOMER = "requested_by_customer"


@strawberry.input(description="Changes to a charge; omitted fields stay as they are.")
class ChargeUpdateInput:
    id: strawberry.ID = strawberry.field(description="The charge to change.")
    description: str | None = strawberry.field(
        default=None, description="An arbitrary description."
    )
    metadata: JSON | None = strawberry.field(
        default=None, description="Keys to set; an empty value removes a key."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="Makes a retried update safe."
    )


@strawberry.input(description="An uncaptured charge to capture.")
class ChargeCaptureInput:
    id: strawberry.ID = strawberry.field(description="The charge to capture.")
    amount: MoneyInput | None = strawberry.field(
        default=None,
        description="Capture part of the charge and release the rest; "
        "all of it by default.",
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="Makes a retried capture safe."
    )


@strawberry.input(
    description="A refund of a charge, or of a payment intent's charge: give one."
)
class RefundCreateInput:
    charge: strawberry.ID | None = strawberry.field(
        default=None, description="The charge to refund."
    )
    payment_intent: strawberry.ID | None = strawberry.field(
        default=None, description="The payment intent whose charge to refund."
    )
    amount: MoneyInput | None = strawberry.field(
        default=None,
        description="Refund part of the payment; what is left unrefunded by default.",
    )
    reason: RefundReasonInput | None = strawberry.field(
        default=None, description="Why the refund is made."
    )
    metadata: JSON | None = strawberry.field(
        default=None, description="Key-value pairs to attach."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="Makes a retried refund safe."
    )


@strawberry.input(description="Changes to a refund's metadata.")
class RefundUpdateInput:
    id: strawberry.ID = strawberry.field(description="The refund to change.")
    metadata: JSON | None = strawberry.field(
        default=None, description="Keys to set; an empty value removes a key."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="Makes a retried update safe."
    )


@strawberry.input(description="A refund that awaits action, to cancel.")
class RefundCancelInput:
    id: strawberry.ID = strawberry.field(description="The refund to cancel.")
    idempotency_key: str | None = strawberry.field(
        default=None, description="Makes a retried cancel safe."
    )


@strawberry.type(description="The charge a mutation wrote, or why it did not.")
class ChargePayload:
    charge: Charge | None = strawberry.field(description="The charge as it is now.")
    user_errors: list[UserError] = strawberry.field(
        description="Problems with the input; empty on success."
    )


@strawberry.type(description="The refund a mutation wrote, or why it did not.")
class RefundPayload:
    refund: Refund | None = strawberry.field(description="The refund as it is now.")
    user_errors: list[UserError] = strawberry.field(
        description="Problems with the input; empty on success."
    )


def _refund_target(input: RefundCreateInput) -> tuple[str, str]:
    """The object refunded, as Stripe's parameter name and its id."""
    if input.charge and input.payment_intent:
        raise problem(
            "paymentIntent", "INVALID", "Give either charge or paymentIntent, not both."
        )
    if input.payment_intent:
        return "payment_intent", input.payment_intent
    if input.charge:
        return "charge", input.charge
    raise problem("charge", "REQUIRED", "Give the charge or paymentIntent to refund.")


@strawberry.type
class ChargeMutations:
    @strawberry.mutation(description="Change a charge's description or metadata.")
    async def charge_update(
        self,
        info: GatewayInfo,
        input: Annotated[
            ChargeUpdateInput, strawberry.argument(description="What to write.")
        ],
    ) -> ChargePayload | None:
        async def write() -> Charge:
            check_id(input.id)
            fields = params(
                description=input.description,
                metadata=checked_metadata(input.metadata),
            )
            key = checked_key(input.idempotency_key)
            path = f"/v1/charges/{input.id}"
            return Charge.from_stripe(await info.context.write(path, fields, key))

        charge, errors = await attempt(write)
        return ChargePayload(charge=charge, user_errors=errors)

    @strawberry.mutation(
        description="Capture an uncaptured charge, in full or in part."
    )
    async def charge_capture(
        self,
        info: GatewayInfo,
        input: Annotated[
            ChargeCaptureInput, strawberry.argument(description="What to write.")
        ],
    ) -> ChargePayload | None:
        async def write() -> Charge:
            check_id(input.id)
            key = checked_key(input.idempotency_key)
            fields: dict[str, Any] = {}
            if input.amount is not None:
                amount = minor_units(input.amount, "amount")
                fields["amount"] = await in_currency_of(
                    info, amount, "amount", "charge", input.id
                )
            path = f"/v1/charges/{input.id}/capture"
            return Charge.from_stripe(await info.context.write(path, fields, key))

        charge, errors = await attempt(write)
        return ChargePayload(charge=charge, user_errors=errors)

    @strawberry.mutation(
        description="Refund a charge or a payment intent, in full or in part."
    )
    async def refund_create(
        self,
        info: GatewayInfo,
        input: Annotated[
            RefundCreateInput, strawberry.argument(description="What to write.")
        ],
    ) -> RefundPayload | None:
        async def write() -> Refund:
            target, target_id = _refund_target(input)
            fields = params(
                reason=input.reason.value if input.reason else None,
                metadata=checked_metadata(input.metadata),
            )
            fields[target] = target_id
            key = checked_key(input.idempotency_key)
            if input.amount is not None:
                amount = minor_units(input.amount, "amount")
                fields["amount"] = await in_currency_of(
                    info, amount, "amount", target, target_id
                )
            return Refund.from_stripe(
                await info.context.write("/v1/refunds", fields, key)
            )

        refund, errors = await attempt(write)
        return RefundPayload(refund=refund, user_errors=errors)

    @strawberry.mutation(description="Change a refund's metadata.")
    async def refund_update(
        self,
        info: GatewayInfo,
        input: Annotated[
            RefundUpdateInput, strawberry.argument(description="What to write.")
        ],
    ) -> RefundPayload | None:
        async def write() -> Refund:
            check_id(input.id)
            fields = params(metadata=checked_metadata(input.metadata))
            key = checked_key(input.idempotency_key)
            path = f"/v1/refunds/{input.id}"
            return Refund.from_stripe(await info.context.write(path, fields, key))

        refund, errors = await attempt(write)
        return RefundPayload(refund=refund, user_errors=errors)

    @strawberry.mutation(description="Cancel a refund that awaits action.")
    async def refund_cancel(
        self,
        info: GatewayInfo,
        input: Annotated[
            RefundCancelInput, strawberry.argument(description="What to write.")
        ],
    ) -> RefundPayload | None:
        async def write() -> Refund:
            check_id(input.id)
            key = checked_key(input.idempotency_key)
            path = f"/v1/refunds/{input.id}/cancel"
            try:
                canceled = await info.context.write(path, {}, key)
            except IdempotencyConflict:
                raise
            except BadUserInput as exc:
                # The call takes no parameters: what Stripe refuses is the state.
                raise problem("id", "INVALID_STATE", exc.message) from None
            return Refund.from_stripe(canceled)

        refund, errors = await attempt(write)
        return RefundPayload(refund=refund, user_errors=errors)
