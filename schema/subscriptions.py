"""Subscriptions and their items."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from resolvers.lists import PageRequest, page_from_embedded
from resolvers.scopes import Resource
from resolvers.shapes import item_price, subscription_period
from schema.arguments import After, Before, First, Last
from schema.base import GatewayInfo, Node, StripeValue, timestamp
from schema.invoices import CollectionMethod, Invoice
from schema.permissions import owned_by
from schema.products import Price
from schema.relay import Connection
from schema.selection import plan, planned_page

if TYPE_CHECKING:
    from schema.customers import Customer

Lazy = strawberry.lazy


@strawberry.enum(description="Where a subscription is in its lifecycle.")
class SubscriptionStatus(enum.Enum):
    INCOMPLETE = "incomplete"
    INCOMPLETE_EXPIRED = "incomplete_expired"
    TRIALING = "trialing"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    CANCELED = "canceled"
    UNPAID = "unpaid"
    PAUSED = "paused"
    UNKNOWN = "_unknown"


@strawberry.enum(
    description="Which subscriptions a list returns: one status, ALL, or ENDED "
    "(canceled and incomplete_expired)."
)
class SubscriptionStatusFilter(enum.Enum):
    INCOMPLETE = "incomplete"
    INCOMPLETE_EXPIRED = "incomplete_expired"
    TRIALING = "trialing"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    CANCELED = "canceled"
    UNPAID = "unpaid"
    PAUSED = "paused"
    ALL = "all"
    ENDED = "ended"


@strawberry.type(description="One price on a subscription, with its quantity.")
@owned_by(Resource.SUBSCRIPTIONS)
class SubscriptionItem(Node, StripeValue):
    created: datetime = strawberry.field(description="When it was added.")
    quantity: int | None = strawberry.field(description="How many units are billed.")
    current_period_start: datetime | None = strawberry.field(
        description="The start of the item's current billing period."
    )
    current_period_end: datetime | None = strawberry.field(
        description="The end of the item's current billing period."
    )
    metadata: JSON = strawberry.field(
        description="Key-value pairs the account attached, as one JSON object."
    )

    @strawberry.field(description="The price billed.")
    async def price(self, info: GatewayInfo) -> Price | None:
        return Price.maybe(
            await info.context.related(
                "price", item_price(self.raw), plan(info, "price")
            )
        )


@strawberry.type(description="A customer's recurring purchase of one or more prices.")
@owned_by(Resource.SUBSCRIPTIONS)
class Subscription(Node, StripeValue):
    created: datetime = strawberry.field(description="When it was created.")
    status: SubscriptionStatus = strawberry.field(description="Its status.")
    currency: str = strawberry.field(description="Three-letter ISO currency code.")
    collection_method: CollectionMethod = strawberry.field(
        description="Whether Stripe charges automatically or emails invoices."
    )
    cancel_at_period_end: bool = strawberry.field(
        description="Whether it ends when the current period ends."
    )
    cancel_at: datetime | None = strawberry.field(
        description="When it is scheduled to end."
    )
    canceled_at: datetime | None = strawberry.field(description="When it was canceled.")
    ended_at: datetime | None = strawberry.field(description="When it ended.")
    start_date: datetime = strawberry.field(description="When it started.")
    trial_start: datetime | None = strawberry.field(
        description="When its trial started."
    )
    trial_end: datetime | None = strawberry.field(description="When its trial ends.")
    billing_cycle_anchor: datetime | None = strawberry.field(
        description="The reference point that aligns its billing periods."
    )
    days_until_due: int | None = strawberry.field(
        description="Days a customer has to pay an emailed invoice."
    )
    description: str | None = strawberry.field(
        description="An arbitrary description set by the account."
    )
    livemode: bool = strawberry.field(
        description="True in live mode, false in test mode."
    )
    metadata: JSON = strawberry.field(
        description="Key-value pairs the account attached, as one JSON object."
    )

    @strawberry.field(
        description="The start of the current billing period: the latest start "
        "among its items."
    )
    def current_period_start(self) -> datetime | None:
        return timestamp(subscription_period(self.raw, "current_period_start", max))

    @strawberry.field(
        description="The end of the current billing period: the earliest end "
        "among its items."
    )
    def current_period_end(self) -> datetime | None:
        return timestamp(subscription_period(self.raw, "current_period_end", min))

    @strawberry.field(description="The customer subscribed.")
    async def customer(
        self, info: GatewayInfo
    ) -> Annotated[Customer, Lazy("schema.customers")] | None:
        from schema.customers import Customer

        customer = await info.context.related(
            "customer", self.raw.get("customer"), plan(info, "customer")
        )
        return Customer.maybe(customer)

    @strawberry.field(description="The prices subscribed to.")
    async def items(
        self,
        info: GatewayInfo,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[SubscriptionItem] | None:
        request = PageRequest.from_args(first, after, last, before)
        page = page_from_embedded(self.raw.get("items"), request)
        if page is None:
            params = {"subscription": self.id}
            page = await planned_page(info, "/v1/subscription_items", params, request)
        return Connection.of(page, SubscriptionItem.from_stripe)

    @strawberry.field(description="The most recent invoice of the subscription.")
    async def latest_invoice(self, info: GatewayInfo) -> Invoice | None:
        invoice = await info.context.related(
            "invoice", self.raw.get("latest_invoice"), plan(info, "invoice")
        )
        return Invoice.maybe(invoice)
