"""Products and the prices they are sold at."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, Self

import strawberry
from strawberry.scalars import JSON

from resolvers.lists import PageRequest
from resolvers.scopes import Resource
from resolvers.shapes import price_of_plan
from schema.arguments import After, Before, First, Last, filters
from schema.base import GatewayInfo, Node, StripeValue
from schema.money import Money
from schema.permissions import owned_by
from schema.relay import Connection
from schema.selection import plan, planned_page


@strawberry.enum(description="Whether a price is paid once or on a schedule.")
class PriceType(enum.Enum):
    ONE_TIME = "one_time"
    RECURRING = "recurring"
    UNKNOWN = "_unknown"


@strawberry.enum(description="Which prices a list returns, by type.")
class PriceTypeFilter(enum.Enum):
    ONE_TIME = "one_time"
    RECURRING = "recurring"


@strawberry.enum(description="How often a recurring price bills.")
class RecurringInterval(enum.Enum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"
    UNKNOWN = "_unknown"


@strawberry.type(description="The billing schedule of a recurring price.")
class Recurring(StripeValue):
    interval: RecurringInterval = strawberry.field(
        description="The unit of the billing period."
    )
    interval_count: int = strawberry.field(
        description="How many intervals make one billing period."
    )
    usage_type: str | None = strawberry.field(
        description="licensed (billed by quantity) or metered (billed by usage)."
    )
    trial_period_days: int | None = strawberry.field(
        description="Default trial length for subscriptions to this price."
    )


@strawberry.type(description="Something the account sells.")
@owned_by(Resource.PRODUCTS)
class Product(Node, StripeValue):
    created: datetime = strawberry.field(description="When the product was created.")
    updated: datetime | None = strawberry.field(
        description="When the product last changed."
    )
    name: str = strawberry.field(description="The name shown to customers.")
    description: str | None = strawberry.field(
        description="The description shown to customers."
    )
    active: bool = strawberry.field(
        description="Whether the product can be bought now."
    )
    images: list[str] = strawberry.field(description="URLs of product images.")
    unit_label: str | None = strawberry.field(
        description="The unit the product is sold in, shown on receipts."
    )
    url: str | None = strawberry.field(description="A public page for the product.")
    livemode: bool = strawberry.field(
        description="True in live mode, false in test mode."
    )
    metadata: JSON = strawberry.field(
        description="Key-value pairs the account attached, as one JSON object."
    )

    @strawberry.field(description="The product's default price, if it has one.")
    async def default_price(self, info: GatewayInfo) -> Price | None:
        price = await info.context.related(
            "price", self.raw.get("default_price"), plan(info, "price")
        )
        return Price.maybe(price)

    @strawberry.field(description="The prices the product is sold at.")
    async def prices(
        self,
        info: GatewayInfo,
        active: Annotated[
            bool | None,
            strawberry.argument(description="Only active or only inactive prices."),
        ] = None,
        type: Annotated[
            PriceTypeFilter | None,
            strawberry.argument(description="Only this price type."),
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Price] | None:
        request = PageRequest.from_args(first, after, last, before)
        params = filters(product=self.id, active=active, type=type and type.value)
        page = await planned_page(info, "/v1/prices", params, request, "product")
        return Connection.of(page, Price.from_stripe)


@strawberry.type(description="What a product costs, once or on a schedule.")
@owned_by(Resource.PRICES)
class Price(Node, StripeValue):
    created: datetime = strawberry.field(description="When the price was created.")
    active: bool = strawberry.field(
        description="Whether new purchases can use this price."
    )
    currency: str = strawberry.field(
        description="Three-letter ISO currency code, lowercase."
    )
    unit_amount: Money | None = strawberry.field(
        description="The amount charged per unit; null for tiered or custom prices."
    )
    unit_amount_decimal: str | None = strawberry.field(
        description="The unit amount in minor units as a decimal string, which "
        "may have more precision than unitAmount."
    )
    type: PriceType = strawberry.field(description="One-time or recurring.")
    recurring: Recurring | None = strawberry.field(
        description="The billing schedule; null for one-time prices."
    )
    nickname: str | None = strawberry.field(
        description="An internal name, not shown to customers."
    )
    lookup_key: str | None = strawberry.field(
        description="A key for fetching the price without its id."
    )
    billing_scheme: str | None = strawberry.field(
        description="per_unit or tiered: how the unit amount is computed."
    )
    tax_behavior: str | None = strawberry.field(
        description="inclusive, exclusive or unspecified."
    )
    livemode: bool = strawberry.field(
        description="True in live mode, false in test mode."
    )
    metadata: JSON = strawberry.field(
        description="Key-value pairs the account attached, as one JSON object."
    )

    @classmethod
    def from_stripe(cls, obj: Mapping[str, Any]) -> Self:
        return super().from_stripe(price_of_plan(obj))

    @strawberry.field(description="The product this price belongs to.")
    async def product(self, info: GatewayInfo) -> Product | None:
        product = await info.context.related("product", self.raw.get("product"))
        return Product.maybe(product)
