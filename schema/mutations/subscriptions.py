"""Subscription writes: creating, changing, ending and resuming subscriptions."""

from __future__ import annotations

import enum
from typing import Annotated, Any
from urllib.parse import urlencode

import strawberry
from strawberry.scalars import JSON

from resolvers.stripe_api import check_id
from schema.base import GatewayInfo
from schema.mutations.common import (
    InputProblems,
    UserError,
    attempt,
    checked_key,
    checked_metadata,
    params,
    problem,
)
from schema.mutations.invoices import (
    CollectionMethodInput,
    checked_quantity,
    collection_params,
)
from schema.subscriptions import Subscription

SUBSCRIPTION_ITEMS_MAX = 20


@strawberry.enum(description="What a new subscription does when payment is due.")
class PaymentBehaviorInput(enum.Enum):
    ALLOW_INCOMPLETE = "allow_incomplete"
    DEFAULT_INCOMPLETE = "default_incomplete"
    ERROR_IF_INCOMPLETE = "error_if_incomplete"


@strawberry.enum(description="How a change to a subscription is billed.")
class ProrationBehaviorInput(enum.Enum):
    CREATE_PRORATIONS = "create_prorations"
    NONE = "none"
    ALWAYS_INVOICE = "always_invoice"


@strawberry.input(description="A price to subscribe to.")
class SubscriptionItemInput:
    price: strawberry.ID = strawberry.field(description="A recurring price.")
    quantity: int | None = strawberry.field(
        default=None, description="Units, at least 1; 1 by default."
    )


@strawberry.input(description="A new subscription.")
class SubscriptionCreateInput:
    customer: strawberry.ID = strawberry.field(description="The customer to bill.")
    items: list[SubscriptionItemInput] = strawberry.field(
        description="The prices subscribed to, 1 to 20, all in one currency."
    )
    collection_method: CollectionMethodInput | None = strawberry.field(
        default=None, description="CHARGE_AUTOMATICALLY by default."
    )
    days_until_due: int | None = strawberry.field(
        default=None,
        description="Days to pay each invoice; required with SEND_INVOICE.",
    )
    payment_behavior: PaymentBehaviorInput | None = strawberry.field(
        default=None, description="ALLOW_INCOMPLETE by default."
    )
    metadata: JSON | None = strawberry.field(
        default=None, description="Key-value pairs to attach."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="Makes a retried create safe."
    )


@strawberry.input(
    description="One item to change or delete (by id) or to add (by price)."
)
class SubscriptionItemUpdateInput:
    id: strawberry.ID | None = strawberry.field(
        default=None, description="The item to change (si_…); omit to add one."
    )
    price: strawberry.ID | None = strawberry.field(
        default=None, description="The item's new price, or the price of a new item."
    )
    quantity: int | None = strawberry.field(
        default=None, description="The new quantity, at least 1."
    )
    deleted: bool | None = strawberry.field(
        default=None, description="true removes the item named by id."
    )


@strawberry.input(
    description="Changes to a subscription; omitted fields stay as they are."
)
class SubscriptionUpdateInput:
    id: strawberry.ID = strawberry.field(description="The subscription to change.")
    items: list[SubscriptionItemUpdateInput] | None = strawberry.field(
        default=None, description="Items to add, change or delete, 1 to 20."
    )
    proration_behavior: ProrationBehaviorInput | None = strawberry.field(
        default=None,
        description="How the change is billed; CREATE_PRORATIONS by default.",
    )
    cancel_at_period_end: bool | None = strawberry.field(
        default=None, description="true ends it when the current period ends."
    )
    metadata: JSON | None = strawberry.field(
        default=None, description="Keys to set; an empty value removes a key."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="Makes a retried update safe."
    )


@strawberry.input(description="A subscription to end now.")
class SubscriptionCancelInput:
    id: strawberry.ID = strawberry.field(description="The subscription.")
    invoice_now: bool | None = strawberry.field(
        default=None, description="Invoice pending usage and prorations at once."
    )
    prorate: bool | None = strawberry.field(
        default=None, description="Credit the unused part of the period."
    )


@strawberry.input(description="A paused subscription to resume.")
class SubscriptionResumeInput:
    id: strawberry.ID = strawberry.field(description="The subscription.")
    idempotency_key: str | None = strawberry.field(
        default=None, description="Makes a retried resume safe."
    )


@strawberry.type(description="The subscription a mutation wrote, or why it did not.")
class SubscriptionPayload:
    subscription: Subscription | None = strawberry.field(
        description="The subscription as it is now."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Problems with the input; empty on success."
    )


def _subscription_items(items: list[SubscriptionItemInput]) -> list[dict[str, Any]]:
    _count(items)
    for item in items:
        check_id(item.price)
        checked_quantity(item.quantity, "items")
    return [
        params(**_price_param(item.price), quantity=item.quantity) for item in items
    ]


def _price_param(price: str) -> dict[str, str]:
    # A legacy plan is named as one; Stripe takes either, emulators only this.
    return {"plan": price} if price.startswith("plan_") else {"price": price}


def _item_changes(items: list[SubscriptionItemUpdateInput]) -> list[dict[str, Any]]:
    _count(items)
    errors = [e for n, item in enumerate(items) for e in _item_change_problems(n, item)]
    if errors:
        raise InputProblems(errors)
    return [
        params(
            id=item.id,
            price=item.price,
            quantity=item.quantity,
            deleted=True if item.deleted else None,
        )
        for item in items
    ]


def _item_change_problems(n: int, item: SubscriptionItemUpdateInput) -> list[UserError]:
    for value in (item.id, item.price):
        if value is not None:
            check_id(value)
    if item.id is None and item.price is None:
        message = f"Item {n} needs an id to change or a price to add."
        return [UserError(field="items", code="REQUIRED", message=message)]
    if item.deleted and item.id is None:
        message = f"Item {n} names no id to delete."
        return [UserError(field="items", code="REQUIRED", message=message)]
    if item.deleted and (item.price or item.quantity):
        message = f"Item {n} is deleted; it takes no price or quantity."
        return [UserError(field="items", code="INVALID", message=message)]
    if item.quantity is not None and item.quantity < 1:
        message = f"Item {n}: quantities are at least 1."
        return [UserError(field="items", code="INVALID", message=message)]
    return []


def _count(items: list[Any]) -> None:
    if not items:
        raise problem("items", "REQUIRED", "Give at least one item.")
    if len(items) > SUBSCRIPTION_ITEMS_MAX:
        raise problem("items", "TOO_MANY", "A subscription has at most 20 items.")


@strawberry.type
class SubscriptionMutations:
    @strawberry.mutation(
        description="Subscribe a customer to prices; the first period is billed at "
        "once."
    )
    async def subscription_create(
        self,
        info: GatewayInfo,
        input: Annotated[
            SubscriptionCreateInput, strawberry.argument(description="What to write.")
        ],
    ) -> SubscriptionPayload | None:
        async def write() -> Subscription:
            check_id(input.customer)
            behavior = input.payment_behavior
            fields = params(
                customer=input.customer,
                items=_subscription_items(input.items),
                payment_behavior=behavior.value if behavior else None,
                metadata=checked_metadata(input.metadata),
                **collection_params(
                    input.collection_method, input.days_until_due, True
                ),
            )
            key = checked_key(input.idempotency_key)
            return Subscription.from_stripe(
                await info.context.write("/v1/subscriptions", fields, key)
            )

        subscription, errors = await attempt(write)
        return SubscriptionPayload(subscription=subscription, user_errors=errors)

    @strawberry.mutation(description="Change a subscription's items, metadata or end.")
    async def subscription_update(
        self,
        info: GatewayInfo,
        input: Annotated[
            SubscriptionUpdateInput, strawberry.argument(description="What to write.")
        ],
    ) -> SubscriptionPayload | None:
        async def write() -> Subscription:
            check_id(input.id)
            proration = input.proration_behavior
            fields = params(
                items=None if input.items is None else _item_changes(input.items),
                proration_behavior=proration.value if proration else None,
                cancel_at_period_end=input.cancel_at_period_end,
                metadata=checked_metadata(input.metadata),
            )
            key = checked_key(input.idempotency_key)
            path = f"/v1/subscriptions/{input.id}"
            return Subscription.from_stripe(await info.context.write(path, fields, key))

        subscription, errors = await attempt(write)
        return SubscriptionPayload(subscription=subscription, user_errors=errors)

    @strawberry.mutation(description="End a subscription now.")
    async def subscription_cancel(
        self,
        info: GatewayInfo,
        input: Annotated[
            SubscriptionCancelInput, strawberry.argument(description="What to write.")
        ],
    ) -> SubscriptionPayload | None:
        async def write() -> Subscription:
            check_id(input.id)
            options = params(invoice_now=input.invoice_now, prorate=input.prorate)
            # A DELETE carries its parameters in the query string.
            query = urlencode({k: str(v).lower() for k, v in options.items()})
            path = f"/v1/subscriptions/{input.id}" + (f"?{query}" if query else "")
            canceled = await info.context.delete(path)
            return Subscription.from_stripe(info.context.remember(canceled))

        subscription, errors = await attempt(write)
        return SubscriptionPayload(subscription=subscription, user_errors=errors)

    @strawberry.mutation(description="Resume a paused subscription.")
    async def subscription_resume(
        self,
        info: GatewayInfo,
        input: Annotated[
            SubscriptionResumeInput, strawberry.argument(description="What to write.")
        ],
    ) -> SubscriptionPayload | None:
        async def write() -> Subscription:
            check_id(input.id)
            key = checked_key(input.idempotency_key)
            # Stripe's refusal names no code, so the state is checked first.
            current = await info.context.load("subscription", input.id)
            if current["status"] != "paused":
                raise problem(
                    "id", "INVALID_STATE", "Only a paused subscription can resume."
                )
            path = f"/v1/subscriptions/{input.id}/resume"
            return Subscription.from_stripe(await info.context.write(path, {}, key))

        subscription, errors = await attempt(write)
        return SubscriptionPayload(subscription=subscription, user_errors=errors)
