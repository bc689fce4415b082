"""Payment intents, the charges they make, and refunds of those charges."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from resolvers.lists import PageRequest, page_from_embedded
from resolvers.scopes import Resource
from schema.arguments import After, Before, First, Last
from schema.base import GatewayInfo, Node, StripeValue
from schema.money import Money
from schema.permissions import owned_by
from schema.relay import Connection
from schema.selection import plan, planned_page

if TYPE_CHECKING:
    from schema.customers import Customer

Lazy = strawberry.lazy
CustomerType = Annotated["Customer", Lazy("schema.customers")]


@strawberry.enum(description="Where a payment intent is in its lifecycle.")
class PaymentIntentStatus(enum.Enum):
    REQUIRES_PAYMENT_METHOD = "requires_payment_method"
    REQUIRES_CONFIRMATION = "requires_confirmation"
    REQUIRES_ACTION = "requires_action"
    PROCESSING = "processing"
    REQUIRES_CAPTURE = "requires_capture"
    CANCELED = "canceled"
    SUCCEEDED = "succeeded"
    UNKNOWN = "_unknown"


@strawberry.enum(description="The outcome of a charge.")
class ChargeStatus(enum.Enum):
    SUCCEEDED = "succeeded"
    PENDING = "pending"
    FAILED = "failed"
    UNKNOWN = "_unknown"


@strawberry.enum(description="Where a refund is in its lifecycle.")
class RefundStatus(enum.Enum):
    PENDING = "pending"
    REQUIRES_ACTION = "requires_action"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"
    UNKNOWN = "_unknown"


@strawberry.enum(description="Why a refund was made.")
class RefundReason(enum.Enum):
    DUPLICATE = "duplicate"
    FRAUDULENT = "fraudulent"
    REQUESTED_BY_CUSTOMER = "requested_by_customer"
    EXPIRED_UNCAPTURED_CHARGE = "expired_uncaptured_charge"
    UNKNOWN = "_unknown"


async def _customer(info: GatewayInfo, value: object) -> Customer | None:
    from schema.customers import Customer

    return Customer.maybe(
        await info.context.related("customer", value, plan(info, "customer"))
    )


@strawberry.type(description="Why the last payment attempt failed.")
class PaymentError(StripeValue):
    type: str | None = strawberry.field(
        description="card_error, invalid_request_error or api_error."
    )
    code: str | None = strawberry.field(
        description="Stripe's error code, such as card_declined."
    )
    decline_code: str | None = strawberry.field(
        description="The issuer's reason for a decline, such as insufficient_funds."
    )
    message: str | None = strawberry.field(
        description="A message that can be shown to the customer."
    )


@strawberry.type(description="An attempt to collect one payment from a customer.")
@owned_by(Resource.PAYMENT_INTENTS)
class PaymentIntent(Node, StripeValue):
    created: datetime = strawberry.field(description="When it was created.")
    amount: Money = strawberry.field(description="The amount to collect.")
    amount_capturable: Money = strawberry.field(
        description="The amount authorised and not yet captured."
    )
    amount_received: Money = strawberry.field(description="The amount collected.")
    currency: str = strawberry.field(description="Three-letter ISO currency code.")
    status: PaymentIntentStatus = strawberry.field(description="Its current status.")
    capture_method: str | None = strawberry.field(
        description="automatic, automatic_async or manual."
    )
    description: str | None = strawberry.field(
        description="An arbitrary description set by the account."
    )
    receipt_email: str | None = strawberry.field(
        description="Where the receipt is sent."
    )
    payment_method_types: list[str] = strawberry.field(
        description="The payment method types it may use."
    )
    canceled_at: datetime | None = strawberry.field(description="When it was canceled.")
    cancellation_reason: str | None = strawberry.field(
        description="Why it was canceled."
    )
    last_payment_error: PaymentError | None = strawberry.field(
        description="Why the last payment attempt failed, if it did."
    )
    livemode: bool = strawberry.field(
        description="True in live mode, false in test mode."
    )
    metadata: JSON = strawberry.field(
        description="Key-value pairs the account attached, as one JSON object."
    )

    @strawberry.field(description="The customer paying.")
    async def customer(self, info: GatewayInfo) -> CustomerType | None:
        return await _customer(info, self.raw.get("customer"))

    @strawberry.field(description="The charge of the latest payment attempt.")
    async def latest_charge(self, info: GatewayInfo) -> Charge | None:
        charge = await info.context.related(
            "charge", self.raw.get("latest_charge"), plan(info, "charge")
        )
        return Charge.maybe(charge)


@strawberry.type(description="One attempt to move money from a payment method.")
@owned_by(Resource.CHARGES)
class Charge(Node, StripeValue):
    created: datetime = strawberry.field(description="When it was made.")
    amount: Money = strawberry.field(description="The amount charged.")
    amount_captured: Money = strawberry.field(description="The amount captured.")
    amount_refunded: Money = strawberry.field(
        description="The amount refunded so far, over all refunds."
    )
    currency: str = strawberry.field(description="Three-letter ISO currency code.")
    status: ChargeStatus = strawberry.field(description="Its outcome.")
    paid: bool = strawberry.field(description="Whether it succeeded or was authorised.")
    captured: bool = strawberry.field(description="Whether it was captured.")
    refunded: bool = strawberry.field(description="Whether it was fully refunded.")
    description: str | None = strawberry.field(
        description="An arbitrary description set by the account."
    )
    failure_code: str | None = strawberry.field(
        description="Stripe's code for why it failed."
    )
    failure_message: str | None = strawberry.field(
        description="A message explaining why it failed."
    )
    receipt_email: str | None = strawberry.field(
        description="Where the receipt was sent."
    )
    livemode: bool = strawberry.field(
        description="True in live mode, false in test mode."
    )
    metadata: JSON = strawberry.field(
        description="Key-value pairs the account attached, as one JSON object."
    )

    @strawberry.field(description="The customer charged.")
    async def customer(self, info: GatewayInfo) -> CustomerType | None:
        return await _customer(info, self.raw.get("customer"))

    @strawberry.field(description="The payment intent that made the charge.")
    async def payment_intent(self, info: GatewayInfo) -> PaymentIntent | None:
        intent = await info.context.related(
            "payment_intent",
            self.raw.get("payment_intent"),
            plan(info, "payment_intent"),
        )
        return PaymentIntent.maybe(intent)

    @strawberry.field(description="Refunds of the charge, newest first.")
    async def refunds(
        self,
        info: GatewayInfo,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Refund] | None:
        request = PageRequest.from_args(first, after, last, before)
        page = page_from_embedded(self.raw.get("refunds"), request)
        if page is None:
            params = {"charge": self.id}
            page = await planned_page(info, "/v1/refunds", params, request, "charge")
        return Connection.of(page, Refund.from_stripe)


@strawberry.type(description="Money returned from a charge.")
@owned_by(Resource.CHARGES)
class Refund(Node, StripeValue):
    created: datetime = strawberry.field(description="When it was made.")
    amount: Money = strawberry.field(description="The amount refunded.")
    currency: str = strawberry.field(description="Three-letter ISO currency code.")
    status: RefundStatus | None = strawberry.field(description="Its status.")
    reason: RefundReason | None = strawberry.field(description="Why it was made.")
    description: str | None = strawberry.field(
        description="An arbitrary description set by the account."
    )
    failure_reason: str | None = strawberry.field(
        description="Why it failed, if it did."
    )
    metadata: JSON | None = strawberry.field(
        description="Key-value pairs the account attached, as one JSON object."
    )

    @strawberry.field(description="The charge refunded.")
    async def charge(self, info: GatewayInfo) -> Charge | None:
        charge = await info.context.related(
            "charge", self.raw.get("charge"), plan(info, "charge")
        )
        return Charge.maybe(charge)

    @strawberry.field(description="The payment intent refunded.")
    async def payment_intent(self, info: GatewayInfo) -> PaymentIntent | None:
        intent = await info.context.related(
            "payment_intent",
            self.raw.get("payment_intent"),
            plan(info, "payment_intent"),
        )
        return PaymentIntent.maybe(intent)
