"""Changing what the account sells: products and their prices."""

from __future__ import annotations

import enum
from typing import Annotated

import strawberry
from strawberry.scalars import JSON

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
    required_text,
)
from schema.mutations.customers import DeletePayload
from schema.products import Price, Product


@strawberry.input(description="A new product.")
class ProductCreateInput:
    name: str = strawberry.field(description="The name shown to customers.")
    description: str | None = strawberry.field(
        default=None, description="The description shown to customers."
    )
    active: bool | None = strawberry.field(
        default=None, description="Whether it can be bought; true by default."
    )
    metadata: JSON | None = strawberry.field(
        default=None, description="Key-value pairs to attach."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="Makes a retried create safe."
    )


@strawberry.input(description="Changes to a product; omitted fields stay as they are.")
class ProductUpdateInput:
    id: strawberry.ID = strawberry.field(description="The product to change.")
    name: str | None = strawberry.field(default=None, description="The new name.")
    description: str | None = strawberry.field(
        default=None, description="The new description."
    )
    active: bool | None = strawberry.field(
        default=None, description="false archives the product."
    )
    metadata: JSON | None = strawberry.field(
        default=None, description="Keys to set; an empty value removes a key."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="Makes a retried update safe."
    )


@strawberry.input(description="A product to archive or delete.")
class ProductIdInput:
    id: strawberry.ID = strawberry.field(description="The product.")
    idempotency_key: str | None = strawberry.field(
        default=None, description="Makes a retried call safe."
    )


@strawberry.type(description="The product a mutation wrote, or why it did not.")
class ProductPayload:
    product: Product | None = strawberry.field(description="The product as it is now.")
    user_errors: list[UserError] = strawberry.field(
        description="Problems with the input; empty on success."
    )


@strawberry.enum(description="How often a recurring price bills.")
class IntervalInput(enum.Enum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


@strawberry.input(description="The schedule of a recurring price.")
class RecurringInput:
    interval: IntervalInput = strawberry.field(description="The billing period unit.")
    interval_count: int | None = strawberry.field(
        default=None, description="Periods between bills; 1 by default."
    )


@strawberry.input(description="A new price; one-time unless recurring is given.")
class PriceCreateInput:
    product: strawberry.ID = strawberry.field(description="The product it prices.")
    unit_amount: MoneyInput = strawberry.field(description="The price of one unit.")
    recurring: RecurringInput | None = strawberry.field(
        default=None, description="Makes the price recurring."
    )
    nickname: str | None = strawberry.field(
        default=None, description="An internal name."
    )
    lookup_key: str | None = strawberry.field(
        default=None, description="A key to find the price by, up to 200 characters."
    )
    metadata: JSON | None = strawberry.field(
        default=None, description="Key-value pairs to attach."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="Makes a retried create safe."
    )


@strawberry.input(description="Changes to a price; its amount never changes.")
class PriceUpdateInput:
    id: strawberry.ID = strawberry.field(description="The price to change.")
    active: bool | None = strawberry.field(
        default=None, description="false retires the price for new purchases."
    )
    nickname: str | None = strawberry.field(
        default=None, description="An internal name."
    )
    lookup_key: str | None = strawberry.field(
        default=None, description="A key to find the price by."
    )
    metadata: JSON | None = strawberry.field(
        default=None, description="Keys to set; an empty value removes a key."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="Makes a retried update safe."
    )


@strawberry.type(description="The price a mutation wrote, or why it did not.")
class PricePayload:
    price: Price | None = strawberry.field(description="The price as it is now.")
    user_errors: list[UserError] = strawberry.field(
        description="Problems with the input; empty on success."
    )


LOOKUP_KEY_LENGTH_MAX = 200


def _lookup_key(key: str | None) -> str | None:
    if key is not None and len(key) > LOOKUP_KEY_LENGTH_MAX:
        raise problem(
            "lookupKey", "TOO_LONG", "Lookup keys are at most 200 characters."
        )
    return key


def _price_fields(
    input: Annotated[
        PriceCreateInput, strawberry.argument(description="What to write.")
    ],
) -> dict[str, object]:
    check_id(input.product)
    amount, currency = minor_units(input.unit_amount, "unitAmount")
    recurring = None
    if input.recurring is not None:
        recurring = params(
            interval=input.recurring.interval.value,
            interval_count=input.recurring.interval_count,
        )
    return params(
        product=input.product,
        unit_amount=amount,
        currency=currency,
        recurring=recurring,
        nickname=input.nickname,
        lookup_key=_lookup_key(input.lookup_key),
        metadata=checked_metadata(input.metadata),
    )


@strawberry.type
class CatalogMutations:
    @strawberry.mutation(description="Create a product.")
    async def product_create(
        self,
        info: GatewayInfo,
        input: Annotated[
            ProductCreateInput, strawberry.argument(description="What to write.")
        ],
    ) -> ProductPayload | None:
        async def write() -> Product:
            fields = params(
                name=required_text(input.name, "name"),
                description=input.description,
                active=input.active,
                metadata=checked_metadata(input.metadata),
            )
            key = checked_key(input.idempotency_key)
            return Product.from_stripe(
                await info.context.write("/v1/products", fields, key)
            )

        product, errors = await attempt(write)
        return ProductPayload(product=product, user_errors=errors)

    @strawberry.mutation(description="Change a product.")
    async def product_update(
        self,
        info: GatewayInfo,
        input: Annotated[
            ProductUpdateInput, strawberry.argument(description="What to write.")
        ],
    ) -> ProductPayload | None:
        async def write() -> Product:
            check_id(input.id)
            fields = params(
                name=None if input.name is None else required_text(input.name, "name"),
                description=input.description,
                active=input.active,
                metadata=checked_metadata(input.metadata),
            )
            key = checked_key(input.idempotency_key)
            path = f"/v1/products/{input.id}"
            return Product.from_stripe(await info.context.write(path, fields, key))

        product, errors = await attempt(write)
        return ProductPayload(product=product, user_errors=errors)

    @strawberry.mutation(
        description="Archive a product: it stays, but cannot be bought."
    )
    async def product_archive(
        self,
        info: GatewayInfo,
        input: Annotated[
            ProductIdInput, strawberry.argument(description="What to write.")
        ],
    ) -> ProductPayload | None:
        async def write() -> Product:
            check_id(input.id)
            key = checked_key(input.idempotency_key)
            path = f"/v1/products/{input.id}"
            return Product.from_stripe(
                await info.context.write(path, {"active": False}, key)
            )

        product, errors = await attempt(write)
        return ProductPayload(product=product, user_errors=errors)

    @strawberry.mutation(description="Delete a product that has no prices.")
    async def product_delete(
        self,
        info: GatewayInfo,
        input: Annotated[
            ProductIdInput, strawberry.argument(description="What to write.")
        ],
    ) -> DeletePayload | None:
        async def write() -> strawberry.ID:
            check_id(input.id)
            deleted = await info.context.delete(f"/v1/products/{input.id}")
            return strawberry.ID(deleted["id"])

        deleted_id, errors = await attempt(write)
        return DeletePayload(deleted_id=deleted_id, user_errors=errors)

    @strawberry.mutation(description="Create a one-time or recurring price.")
    async def price_create(
        self,
        info: GatewayInfo,
        input: Annotated[
            PriceCreateInput, strawberry.argument(description="What to write.")
        ],
    ) -> PricePayload | None:
        async def write() -> Price:
            fields = _price_fields(input)
            key = checked_key(input.idempotency_key)
            return Price.from_stripe(
                await info.context.write("/v1/prices", fields, key)
            )

        price, errors = await attempt(write)
        return PricePayload(price=price, user_errors=errors)

    @strawberry.mutation(description="Change a price's state, names or metadata.")
    async def price_update(
        self,
        info: GatewayInfo,
        input: Annotated[
            PriceUpdateInput, strawberry.argument(description="What to write.")
        ],
    ) -> PricePayload | None:
        async def write() -> Price:
            check_id(input.id)
            fields = params(
                active=input.active,
                nickname=input.nickname,
                lookup_key=_lookup_key(input.lookup_key),
                metadata=checked_metadata(input.metadata),
            )
            key = checked_key(input.idempotency_key)
            path = f"/v1/prices/{input.id}"
            return Price.from_stripe(await info.context.write(path, fields, key))

        price, errors = await attempt(write)
        return PricePayload(price=price, user_errors=errors)
