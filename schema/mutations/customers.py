"""Creating, changing and deleting customers."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from resolvers.stripe_api import check_id
from schema.base import GatewayInfo
from schema.customers import Customer
from schema.mutations.common import (
    UserError,
    attempt,
    checked_key,
    checked_metadata,
    params,
)


@strawberry.input(description="A new customer.")
class CustomerCreateInput:
    email: str | None = strawberry.field(default=None, description="Email address.")
    name: str | None = strawberry.field(default=None, description="Full name.")
    description: str | None = strawberry.field(
        default=None, description="An arbitrary description."
    )
    phone: str | None = strawberry.field(default=None, description="Phone number.")
    metadata: JSON | None = strawberry.field(
        default=None, description="Key-value pairs to attach."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="Makes a retried create safe."
    )


@strawberry.input(description="Changes to a customer; omitted fields stay as they are.")
class CustomerUpdateInput:
    id: strawberry.ID = strawberry.field(description="The customer to change.")
    email: str | None = strawberry.field(default=None, description="Email address.")
    name: str | None = strawberry.field(default=None, description="Full name.")
    description: str | None = strawberry.field(
        default=None, description="An arbitrary description."
    )
    phone: str | None = strawberry.field(default=None, description="Phone number.")
    metadata: JSON | None = strawberry.field(
        default=None,
        description="Keys to set; a key with an empty value is removed.",
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="Makes a retried update safe."
    )


@strawberry.input(description="A customer to delete.")
class CustomerDeleteInput:
    id: strawberry.ID = strawberry.field(description="The customer to delete.")
    idempotency_key: str | None = strawberry.field(
        default=None, description="Accepted for symmetry; deletes are idempotent."
    )


@strawberry.type(description="The customer a mutation wrote, or why it did not.")
class CustomerPayload:
    customer: Customer | None = strawberry.field(
        description="The customer as it is now."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Problems with the input; empty on success."
    )


@strawberry.type(description="The id of what a mutation deleted, or why it did not.")
class DeletePayload:
    deleted_id: strawberry.ID | None = strawberry.field(
        description="The Stripe id of the deleted object."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Problems with the input; empty on success."
    )


def _fields(input: CustomerCreateInput | CustomerUpdateInput) -> dict[str, object]:
    return params(
        email=input.email,
        name=input.name,
        description=input.description,
        phone=input.phone,
        metadata=checked_metadata(input.metadata),
    )


@strawberry.type
class CustomerMutations:
    @strawberry.mutation(description="Create a customer.")
    async def customer_create(
        self,
        info: GatewayInfo,
        input: Annotated[
            CustomerCreateInput, strawberry.argument(description="What to write.")
        ],
    ) -> CustomerPayload | None:
        async def write() -> Customer:
            key = checked_key(input.idempotency_key)
            created = await info.context.write("/v1/customers", _fields(input), key)
            return Customer.from_stripe(created)

        customer, errors = await attempt(write)
        return CustomerPayload(customer=customer, user_errors=errors)

    @strawberry.mutation(description="Change a customer.")
    async def customer_update(
        self,
        info: GatewayInfo,
        input: Annotated[
            CustomerUpdateInput, strawberry.argument(description="What to write.")
        ],
    ) -> CustomerPayload | None:
        async def write() -> Customer:
            check_id(input.id)
            key = checked_key(input.idempotency_key)
            path = f"/v1/customers/{input.id}"
            return Customer.from_stripe(
                await info.context.write(path, _fields(input), key)
            )

        customer, errors = await attempt(write)
        return CustomerPayload(customer=customer, user_errors=errors)

    @strawberry.mutation(
        description="Delete a customer; Stripe cancels its subscriptions."
    )
    async def customer_delete(
        self,
        info: GatewayInfo,
        input: Annotated[
            CustomerDeleteInput, strawberry.argument(description="What to write.")
        ],
    ) -> DeletePayload | None:
        async def write() -> strawberry.ID:
            check_id(input.id)
            deleted = await info.context.delete(f"/v1/customers/{input.id}")
            return strawberry.ID(deleted["id"])

        deleted_id, errors = await attempt(write)
        return DeletePayload(deleted_id=deleted_id, user_errors=errors)
