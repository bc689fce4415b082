"""Invoice writes: drafting, itemising, collecting and closing invoices.

Stripe owns the state machine (a draft is finalized, then paid, voided or
marked uncollectible). A call the current state does not allow comes back as
an ``INVALID_STATE`` user error.
"""

from __future__ import annotations

import enum
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON

from resolvers.stripe_api import check_id
from schema.base import GatewayInfo
from schema.invoices import Invoice
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
from schema.mutations.customers import DeletePayload


@strawberry.enum(description="How an invoice or subscription is collected.")
class CollectionMethodInput(enum.Enum):
    CHARGE_AUTOMATICALLY = "charge_automatically"
    SEND_INVOICE = "send_invoice"


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


def collection_params(
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


def checked_quantity(quantity: int | None, field: str) -> int | None:
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
            quantity=checked_quantity(input.quantity, "quantity"),
            description=input.description,
        )
    if input.quantity is not None:
        # Stripe refuses a quantity beside a total amount.
        raise problem("quantity", "INVALID", "quantity goes with price, not amount.")
    amount, currency = minor_units(input.amount, "amount")
    return params(amount=amount, currency=currency, description=input.description)


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


@strawberry.type
class InvoiceMutations:
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
                **collection_params(
                    input.collection_method, input.days_until_due, True
                ),
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
                **collection_params(
                    input.collection_method, input.days_until_due, False
                ),
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
