"""Invoices and their line items."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.scalars import JSON

from resolvers.lists import PageRequest, page_from_embedded
from resolvers.loaders import payment_intent_of_payments
from resolvers.scopes import Resource
from resolvers.shapes import invoice_subscription, line_price
from schema.arguments import After, Before, First, Last
from schema.base import GatewayInfo, Node, StripeValue, timestamp
from schema.money import Money
from schema.permissions import owned_by
from schema.products import Price
from schema.relay import Connection
from schema.selection import plan, planned_page

if TYPE_CHECKING:
    from schema.customers import Customer
    from schema.payments import PaymentIntent
    from schema.subscriptions import Subscription

Lazy = strawberry.lazy


@strawberry.enum(description="Where an invoice is in its lifecycle.")
class InvoiceStatus(enum.Enum):
    DRAFT = "draft"
    OPEN = "open"
    PAID = "paid"
    UNCOLLECTIBLE = "uncollectible"
    VOID = "void"
    UNKNOWN = "_unknown"


@strawberry.enum(description="Which invoices a list returns, by status.")
class InvoiceStatusFilter(enum.Enum):
    DRAFT = "draft"
    OPEN = "open"
    PAID = "paid"
    UNCOLLECTIBLE = "uncollectible"
    VOID = "void"


@strawberry.enum(description="How an invoice or subscription is collected.")
class CollectionMethod(enum.Enum):
    CHARGE_AUTOMATICALLY = "charge_automatically"
    SEND_INVOICE = "send_invoice"
    UNKNOWN = "_unknown"


@strawberry.type(description="When an invoice changed status.")
class StatusTransitions(StripeValue):
    finalized_at: datetime | None = strawberry.field(
        description="When it was finalized."
    )
    paid_at: datetime | None = strawberry.field(description="When it was paid.")
    voided_at: datetime | None = strawberry.field(description="When it was voided.")
    marked_uncollectible_at: datetime | None = strawberry.field(
        description="When it was marked uncollectible."
    )


@strawberry.type(description="One line of an invoice.")
@owned_by(Resource.INVOICES)
class InvoiceLineItem(Node, StripeValue):
    amount: Money = strawberry.field(description="The line's amount.")
    currency: str = strawberry.field(description="Three-letter ISO currency code.")
    description: str | None = strawberry.field(
        description="The text shown on the invoice."
    )
    quantity: int | None = strawberry.field(description="How many units are billed.")
    metadata: JSON = strawberry.field(
        description="Key-value pairs the account attached, as one JSON object."
    )

    @strawberry.field(description="The start of the period the line bills for.")
    def period_start(self) -> datetime | None:
        return _period(self.raw, "start")

    @strawberry.field(description="The end of the period the line bills for.")
    def period_end(self) -> datetime | None:
        return _period(self.raw, "end")

    @strawberry.field(description="The price the line bills at.")
    async def price(self, info: GatewayInfo) -> Price | None:
        price = await info.context.related(
            "price", line_price(self.raw), plan(info, "price")
        )
        return Price.maybe(price)


def _period(line: dict[str, Any], end: str) -> datetime | None:
    return timestamp((line.get("period") or {}).get(end))


@strawberry.type(description="A statement of what a customer owes.")
@owned_by(Resource.INVOICES)
class Invoice(Node, StripeValue):
    created: datetime = strawberry.field(description="When it was created.")
    number: str | None = strawberry.field(
        description="The number shown to the customer; set when finalized."
    )
    status: InvoiceStatus | None = strawberry.field(description="Its status.")
    collection_method: CollectionMethod = strawberry.field(
        description="Whether Stripe charges automatically or emails the invoice."
    )
    billing_reason: str | None = strawberry.field(
        description="Why it was created, such as subscription_cycle."
    )
    currency: str = strawberry.field(description="Three-letter ISO currency code.")
    subtotal: Money = strawberry.field(
        description="The total before discounts and taxes."
    )
    total: Money = strawberry.field(description="The total after discounts and taxes.")
    amount_due: Money = strawberry.field(description="The amount to collect.")
    amount_paid: Money = strawberry.field(description="The amount paid so far.")
    amount_remaining: Money = strawberry.field(description="The amount still to pay.")
    description: str | None = strawberry.field(
        description="A memo shown on the invoice."
    )
    customer_email: str | None = strawberry.field(
        description="The customer's email when the invoice was finalized."
    )
    customer_name: str | None = strawberry.field(
        description="The customer's name when the invoice was finalized."
    )
    due_date: datetime | None = strawberry.field(
        description="When payment is due, for invoices sent to the customer."
    )
    period_start: datetime | None = strawberry.field(
        description="The start of the billing period."
    )
    period_end: datetime | None = strawberry.field(
        description="The end of the billing period."
    )
    attempt_count: int | None = strawberry.field(
        description="How many times payment was attempted."
    )
    attempted: bool | None = strawberry.field(
        description="Whether payment was attempted."
    )
    hosted_invoice_url: str | None = strawberry.field(
        description="The page where the customer can pay; set when finalized."
    )
    invoice_pdf: str | None = strawberry.field(
        description="The PDF of the invoice; set when finalized."
    )
    status_transitions: StatusTransitions | None = strawberry.field(
        description="When the invoice changed status."
    )
    livemode: bool = strawberry.field(
        description="True in live mode, false in test mode."
    )
    metadata: JSON | None = strawberry.field(
        description="Key-value pairs the account attached, as one JSON object."
    )

    @strawberry.field(description="The customer billed.")
    async def customer(
        self, info: GatewayInfo
    ) -> Annotated[Customer, Lazy("schema.customers")] | None:
        from schema.customers import Customer

        customer = await info.context.related(
            "customer", self.raw.get("customer"), plan(info, "customer")
        )
        return Customer.maybe(customer)

    @strawberry.field(description="The subscription the invoice bills, if any.")
    async def subscription(
        self, info: GatewayInfo
    ) -> Annotated[Subscription, Lazy("schema.subscriptions")] | None:
        from schema.subscriptions import Subscription

        found = await info.context.related(
            "subscription", invoice_subscription(self.raw), plan(info, "subscription")
        )
        return Subscription.maybe(found)

    @strawberry.field(description="The lines of the invoice.")
    async def lines(
        self,
        info: GatewayInfo,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[InvoiceLineItem] | None:
        request = PageRequest.from_args(first, after, last, before)
        page = page_from_embedded(self.raw.get("lines"), request)
        if page is None:
            path = f"/v1/invoices/{self.id}/lines"
            page = await planned_page(info, path, {}, request)
        return Connection.of(page, InvoiceLineItem.from_stripe)

    @strawberry.field(description="The payment intent collecting the invoice.")
    async def payment_intent(
        self, info: GatewayInfo
    ) -> Annotated[PaymentIntent, Lazy("schema.payments")] | None:
        from schema.payments import PaymentIntent

        intent = await info.context.related(
            "payment_intent",
            await _invoice_payment_intent(info, self.raw),
            plan(info, "payment_intent"),
        )
        return PaymentIntent.maybe(intent)


async def _invoice_payment_intent(info: GatewayInfo, invoice: dict[str, Any]) -> Any:
    # Older API versions name the intent directly; newer ones through payments.
    if invoice.get("payment_intent"):
        return invoice["payment_intent"]
    if "payments" in invoice and invoice["payments"] is not None:
        return payment_intent_of_payments(invoice["payments"]["data"])
    if invoice.get("status") == "draft" or "parent" not in invoice:
        return None
    return await info.context.loaders.invoice_payment_intent.load(invoice["id"])
