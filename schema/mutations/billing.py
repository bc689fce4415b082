"""Billing writes: drafting, collecting and closing invoices; running subscriptions.

Stripe owns the state machines (a draft is finalized, then paid, voided or
marked uncollectible; a paused subscription resumes). A call the current state
does not allow comes back as an ``INVALID_STATE`` user error.
"""

from __future__ import annotations

import enum
from typing import Annotated, Any
from urllib.parse import urlencode

import strawberry
from strawberry.scalars import JSON

from resolvers.stripe_api import StripeDict, check_id
from schema.base import GatewayInfo
from schema.invoices import Invoice
from schema.mutations.common import (
    InputProblems,
    MoneyInput,
    UserError,
    attempt,
    checked_key,
    checked_metadata,
    minor_units,
    params,
    problem,
)
from schema.mutations.customers import DeletePayload
from schema.subscriptions import Subscription

SUBSCRIPTION_ITEMS_MAX = 20


@strawberry.enum(description="How an invoice or subscription is collected.")
class CollectionMethodInput(enum.Enum):
    CHARGE_AUTOMATICALLY = "charge_automatically"
    SEND_INVOICE = "send_invoice"


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


@strawberry.input(description="A new draft invoice, with no items yet.")
class InvoiceCreateInput:
    customer: strawberry.ID = strawberry.field(description="The customer to bill.")
    description: str | None = strawberry.field(
        default=None, description="A memo shown on the invoice."
    )
    collection_method: CollectionMethodInput | None = strawberry.field(
        default=None, description="CHARGE_AUTOMATICALLY by default."
    )
    days_until_due: int | None = strawberry.field(
        default=None, description="Days to pay; required with SEND_INVOICE."
    )
    metadata: JSON | None = strawberry.field(
        default=None, description="Key-value pairs to attach."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="Makes a retried create safe."
    )


@strawberry.input(
    description="An item for a draft invoice: an amount, or a price with a quantity."
)
class InvoiceAddItemInput:
    invoice: strawberry.ID = strawberry.field(description="The draft invoice.")
    amount: MoneyInput | None = strawberry.field(
        default=None, description="The item's total; give this or price."
    )
    price: strawberry.ID | None = strawberry.field(
        default=None, description="The price to bill; give this or amount."
    )
    quantity: int | None = strawberry.field(
        default=None, description="Units of the price, at least 1; 1 by default."
    )
    description: str | None = strawberry.field(
        default=None, description="The text shown on the invoice line."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="Makes a retried add safe."
    )


@strawberry.input(description="An item to take off its draft invoice.")
class InvoiceRemoveItemInput:
    id: strawberry.ID = strawberry.field(description="The invoice item (ii_…).")


@strawberry.input(description="Changes to an invoice; omitted fields stay as they are.")
class InvoiceUpdateInput:
    id: strawberry.ID = strawberry.field(description="The invoice to change.")
    description: str | None = strawberry.field(
        default=None, description="A memo shown on the invoice."
    )
    metadata: JSON | None = strawberry.field(
        default=None, description="Keys to set; an empty value removes a key."
    )
    days_until_due: int | None = strawberry.field(
        default=None, description="Days to pay, for SEND_INVOICE; drafts only."
    )
    collection_method: CollectionMethodInput | None = strawberry.field(
        default=None, description="How it is collected; drafts only."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="Makes a retried update safe."
    )


@strawberry.input(description="An invoice to move to its next state.")
class InvoiceIdInput:
    id: strawberry.ID = strawberry.field(description="The invoice.")
    idempotency_key: str | None = strawberry.field(
        default=None, description="Makes a retried call safe."
    )


@strawberry.input(description="An open or uncollectible invoice to pay.")
class InvoicePayInput:
    id: strawberry.ID = strawberry.field(
        description="The invoice; a draft is finalized first."
    )
    payment_method: strawberry.ID | None = strawberry.field(
        default=None,
        description="The payment method to charge; the invoice's default otherwise.",
    )
    paid_out_of_band: bool = strawberry.field(
        default=False, description="Record a payment made outside Stripe; no charge."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="Makes a retried payment safe."
    )


@strawberry.type(description="The invoice a mutation wrote, or why it did not.")
class InvoicePayload:
    invoice: Invoice | None = strawberry.field(description="The invoice as it is now.")
    invoice_item_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The invoice item (ii_…) the mutation added or removed, if any.",
    )
    user_errors: list[UserError] = strawberry.field(
        description="Problems with the input; empty on success."
    )


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


def _collection(
    method: CollectionMethodInput | None, days_until_due: int | None, creating: bool
) -> dict[str, Any]:
    """Stripe takes days until due only with, and on create always with, emailing."""
    emailed = method is CollectionMethodInput.SEND_INVOICE
    if days_until_due is not None and days_until_due < 0:
        raise problem("daysUntilDue", "INVALID", "daysUntilDue must be 0 or more.")
    if days_until_due is not None and method is not None and not emailed:
        raise problem(
            "daysUntilDue", "INVALID", "daysUntilDue goes with SEND_INVOICE only."
        )
    if creating and emailed and days_until_due is None:
        raise problem("daysUntilDue", "REQUIRED", "SEND_INVOICE needs daysUntilDue.")
    return params(
        collection_method=method.value if method else None,
        days_until_due=days_until_due,
    )


def _quantity(quantity: int | None, field: str) -> int | None:
    if quantity is not None and quantity < 1:
        raise problem(field, "INVALID", "Quantities are at least 1.")
    return quantity


def _item_fields(input: InvoiceAddItemInput) -> dict[str, Any]:
    if (input.amount is None) == (input.price is None):
        raise problem("amount", "INVALID", "Give exactly one of amount and price.")
    if input.amount is None:
        check_id(str(input.price))
        return params(
            pricing={"price": input.price},
            quantity=_quantity(input.quantity, "quantity"),
            description=input.description,
        )
    if input.quantity is not None:
        # Stripe refuses a quantity beside a total amount.
        raise problem("quantity", "INVALID", "quantity goes with price, not amount.")
    amount, currency = minor_units(input.amount, "amount")
    return params(amount=amount, currency=currency, description=input.description)


def _subscription_items(items: list[SubscriptionItemInput]) -> list[dict[str, Any]]:
    _count(items)
    for item in items:
        check_id(item.price)
        _quantity(item.quantity, "items")
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


async def _fresh_invoice(info: GatewayInfo, invoice_id: str) -> Invoice:
    """The invoice as Stripe has it after a write to one of its items."""
    info.context.loaders.forget({"object": "invoice", "id": invoice_id})
    return Invoice.from_stripe(await info.context.load("invoice", invoice_id))


async def _invoice_action(
    info: GatewayInfo, input: InvoiceIdInput, action: str
) -> InvoicePayload:
    async def write() -> Invoice:
        check_id(input.id)
        key = checked_key(input.idempotency_key)
        path = f"/v1/invoices/{input.id}/{action}"
        return Invoice.from_stripe(await info.context.write(path, {}, key))

    invoice, errors = await attempt(write)
    return InvoicePayload(invoice=invoice, user_errors=errors)


def _written(info: GatewayInfo, obj: StripeDict) -> StripeDict:
    info.context.loaders.forget(obj)
    info.context.loaders.prime(obj)
    return obj


@strawberry.type
class BillingMutations:
    @strawberry.mutation(
        description="Create a draft invoice; add items, then finalize."
    )
    async def invoice_create(
        self,
        info: GatewayInfo,
        input: Annotated[
            InvoiceCreateInput, strawberry.argument(description="What to write.")
        ],
    ) -> InvoicePayload | None:
        async def write() -> Invoice:
            check_id(input.customer)
            fields = params(
                customer=input.customer,
                description=input.description,
                metadata=checked_metadata(input.metadata),
                # Only the items added through this API belong on the draft.
                pending_invoice_items_behavior="exclude",
                **_collection(input.collection_method, input.days_until_due, True),
            )
            key = checked_key(input.idempotency_key)
            return Invoice.from_stripe(
                await info.context.write("/v1/invoices", fields, key)
            )

        invoice, errors = await attempt(write)
        return InvoicePayload(invoice=invoice, user_errors=errors)

    @strawberry.mutation(description="Add an item to a draft invoice.")
    async def invoice_add_item(
        self,
        info: GatewayInfo,
        input: Annotated[
            InvoiceAddItemInput, strawberry.argument(description="What to write.")
        ],
    ) -> InvoicePayload | None:
        async def write() -> InvoicePayload:
            fields = _item_fields(input)
            check_id(input.invoice)
            key = checked_key(input.idempotency_key)
            invoice = await info.context.load("invoice", input.invoice)
            if invoice["status"] != "draft":
                raise problem(
                    "invoice", "INVALID_STATE", "Items go on draft invoices only."
                )
            fields |= {"customer": invoice["customer"], "invoice": invoice["id"]}
            item = await info.context.write("/v1/invoiceitems", fields, key)
            return InvoicePayload(
                invoice=await _fresh_invoice(info, invoice["id"]),
                invoice_item_id=strawberry.ID(item["id"]),
                user_errors=[],
            )

        payload, errors = await attempt(write)
        return payload or InvoicePayload(invoice=None, user_errors=errors)

    @strawberry.mutation(description="Take an item off its draft invoice.")
    async def invoice_remove_item(
        self,
        info: GatewayInfo,
        input: Annotated[
            InvoiceRemoveItemInput, strawberry.argument(description="What to write.")
        ],
    ) -> InvoicePayload | None:
        async def write() -> InvoicePayload:
            check_id(input.id)
            path = f"/v1/invoiceitems/{input.id}"
            item = await info.context.api.get(path, {})
            if not item.get("invoice"):
                raise problem("id", "INVALID_STATE", "The item is on no invoice.")
            await info.context.delete(path)
            return InvoicePayload(
                invoice=await _fresh_invoice(info, item["invoice"]),
                invoice_item_id=strawberry.ID(item["id"]),
                user_errors=[],
            )

        payload, errors = await attempt(write)
        return payload or InvoicePayload(invoice=None, user_errors=errors)

    @strawberry.mutation(
        description="Change an invoice; a finalized one takes only "
        "its description and metadata."
    )
    async def invoice_update(
        self,
        info: GatewayInfo,
        input: Annotated[
            InvoiceUpdateInput, strawberry.argument(description="What to write.")
        ],
    ) -> InvoicePayload | None:
        async def write() -> Invoice:
            check_id(input.id)
            fields = params(
                description=input.description,
                metadata=checked_metadata(input.metadata),
                **_collection(input.collection_method, input.days_until_due, False),
            )
            key = checked_key(input.idempotency_key)
            path = f"/v1/invoices/{input.id}"
            return Invoice.from_stripe(await info.context.write(path, fields, key))

        invoice, errors = await attempt(write)
        return InvoicePayload(invoice=invoice, user_errors=errors)

    @strawberry.mutation(description="Finalize a draft: it gets a number and opens.")
    async def invoice_finalize(
        self,
        info: GatewayInfo,
        input: Annotated[
            InvoiceIdInput, strawberry.argument(description="What to write.")
        ],
    ) -> InvoicePayload | None:
        return await _invoice_action(info, input, "finalize")

    @strawberry.mutation(
        description="Pay an open or uncollectible invoice, or record it paid."
    )
    async def invoice_pay(
        self,
        info: GatewayInfo,
        input: Annotated[
            InvoicePayInput, strawberry.argument(description="What to write.")
        ],
    ) -> InvoicePayload | None:
        async def write() -> Invoice:
            check_id(input.id)
            if input.payment_method is not None and input.paid_out_of_band:
                raise problem(
                    "paymentMethod",
                    "INVALID",
                    "A payment made outside Stripe charges no payment method.",
                )
            if input.payment_method is not None:
                check_id(input.payment_method)
            fields = params(
                payment_method=input.payment_method,
                paid_out_of_band=True if input.paid_out_of_band else None,
            )
            key = checked_key(input.idempotency_key)
            path = f"/v1/invoices/{input.id}/pay"
            return Invoice.from_stripe(await info.context.write(path, fields, key))

        invoice, errors = await attempt(write)
        return InvoicePayload(invoice=invoice, user_errors=errors)

    @strawberry.mutation(description="Email an open invoice to the customer.")
    async def invoice_send(
        self,
        info: GatewayInfo,
        input: Annotated[
            InvoiceIdInput, strawberry.argument(description="What to write.")
        ],
    ) -> InvoicePayload | None:
        return await _invoice_action(info, input, "send")

    @strawberry.mutation(description="Void an open or uncollectible invoice.")
    async def invoice_void(
        self,
        info: GatewayInfo,
        input: Annotated[
            InvoiceIdInput, strawberry.argument(description="What to write.")
        ],
    ) -> InvoicePayload | None:
        return await _invoice_action(info, input, "void")

    @strawberry.mutation(description="Mark an open invoice as not going to be paid.")
    async def invoice_mark_uncollectible(
        self,
        info: GatewayInfo,
        input: Annotated[
            InvoiceIdInput, strawberry.argument(description="What to write.")
        ],
    ) -> InvoicePayload | None:
        return await _invoice_action(info, input, "mark_uncollectible")

    @strawberry.mutation(
        description="Delete a draft invoice that no subscription made."
    )
    async def invoice_delete(
        self,
        info: GatewayInfo,
        input: Annotated[
            InvoiceIdInput, strawberry.argument(description="What to write.")
        ],
    ) -> DeletePayload | None:
        async def write() -> strawberry.ID:
            check_id(input.id)
            deleted = await info.context.delete(f"/v1/invoices/{input.id}")
            return strawberry.ID(deleted["id"])

        deleted_id, errors = await attempt(write)
        return DeletePayload(deleted_id=deleted_id, user_errors=errors)

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
                **_collection(input.collection_method, input.days_until_due, True),
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
            return Subscription.from_stripe(_written(info, canceled))

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
