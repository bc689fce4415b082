"""Customers and their addresses."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from resolvers.lists import PageRequest, page_from_embedded
from resolvers.scopes import Resource
from schema.arguments import After, Before, First, Last, filters
from schema.base import GatewayInfo, Node, StripeValue
from schema.invoices import Invoice, InvoiceStatusFilter
from schema.money import Money
from schema.payments import Charge, PaymentIntent
from schema.permissions import owned_by
from schema.relay import Connection
from schema.selection import planned_page
from schema.subscriptions import Subscription, SubscriptionStatusFilter


@strawberry.type(description="A postal address.")
class Address(StripeValue):
    line1: str | None = strawberry.field(description="Street address, first line.")
    line2: str | None = strawberry.field(description="Street address, second line.")
    city: str | None = strawberry.field(description="City, district or town.")
    state: str | None = strawberry.field(description="State, county or province.")
    postal_code: str | None = strawberry.field(description="ZIP or postal code.")
    country: str | None = strawberry.field(
        description="Two-letter ISO 3166-1 country code."
    )


@strawberry.type(description="A customer of the Stripe account.")
@owned_by(Resource.CUSTOMERS)
class Customer(Node, StripeValue):
    created: datetime = strawberry.field(description="When the customer was created.")
    email: str | None = strawberry.field(description="The customer's email address.")
    name: str | None = strawberry.field(description="The customer's full name.")
    description: str | None = strawberry.field(
        description="An arbitrary description set by the account."
    )
    phone: str | None = strawberry.field(description="The customer's phone number.")
    currency: str | None = strawberry.field(
        description="The currency the customer is billed in, once set."
    )
    balance: Money | None = strawberry.field(
        description="Credit (negative) or debt (positive) applied to the next "
        "invoice, in the customer's currency."
    )
    delinquent: bool | None = strawberry.field(
        description="Whether the latest invoice or charge of the customer failed."
    )
    address: Address | None = strawberry.field(
        description="The customer's postal address."
    )
    invoice_prefix: str | None = strawberry.field(
        description="The prefix of the customer's invoice numbers."
    )
    livemode: bool = strawberry.field(
        description="True in live mode, false in test mode."
    )
    metadata: JSON = strawberry.field(
        description="Key-value pairs the account attached, as one JSON object."
    )

    @strawberry.field(description="The customer's subscriptions.")
    async def subscriptions(
        self,
        info: GatewayInfo,
        status: Annotated[
            SubscriptionStatusFilter | None,
            strawberry.argument(
                description="Only subscriptions in this status; all but canceled "
                "when omitted."
            ),
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Subscription] | None:

        request = PageRequest.from_args(first, after, last, before)
        params = filters(customer=self.id, status=status and status.value)
        # A customer listed with its subscriptions expanded already holds them.
        embedded = None if status else self.raw.get("subscriptions")
        page = page_from_embedded(embedded, request)
        if page is None:
            page = await planned_page(
                info, "/v1/subscriptions", params, request, "customer"
            )
        return Connection.of(page, Subscription.from_stripe)

    @strawberry.field(description="The customer's invoices.")
    async def invoices(
        self,
        info: GatewayInfo,
        status: Annotated[
            InvoiceStatusFilter | None,
            strawberry.argument(description="Only invoices in this status."),
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Invoice] | None:

        request = PageRequest.from_args(first, after, last, before)
        params = filters(customer=self.id, status=status and status.value)
        page = await planned_page(info, "/v1/invoices", params, request, "customer")
        return Connection.of(page, Invoice.from_stripe)

    @strawberry.field(description="The customer's charges.")
    async def charges(
        self,
        info: GatewayInfo,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Charge] | None:

        request = PageRequest.from_args(first, after, last, before)
        page = await planned_page(
            info, "/v1/charges", {"customer": self.id}, request, "customer"
        )
        return Connection.of(page, Charge.from_stripe)

    @strawberry.field(description="The customer's payment intents.")
    async def payment_intents(
        self,
        info: GatewayInfo,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[PaymentIntent] | None:

        request = PageRequest.from_args(first, after, last, before)
        params = {"customer": self.id}
        page = await planned_page(
            info, "/v1/payment_intents", params, request, "customer"
        )
        return Connection.of(page, PaymentIntent.from_stripe)
