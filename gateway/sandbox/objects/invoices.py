"""Invoices and their state machine: draft → open → paid | void | uncollectible.

Finalizing creates the default InvoicePayment and its PaymentIntent; paying
confirms that intent with a test payment method.
"""

from __future__ import annotations

from typing import Any

from ..errors import StripeError
from ..store import Obj, Store
from .common import ensure_currency, update_metadata
from .customers import default_payment_method
from .invoice_lines import line_for_item
from .payments import cancel_intent, confirm_intent, create_intent

DAY = 86_400


def create_invoice(store: Store, values: dict[str, Any], reason: str = "manual") -> Obj:
    customer = store.ref("customer", values["customer"], "customer")
    currency = (values.get("currency") or customer["currency"] or "usd").lower()
    invoice = _build(store, customer, currency, values, reason)
    ensure_currency(customer, currency)
    update_metadata(invoice, values)
    store.add(invoice)
    if values.get("pending_invoice_items_behavior") == "include":
        for item in store.where("invoiceitem", customer=customer["id"], invoice=None):
            attach_item(store, invoice, item)
    return invoice


def update_invoice(invoice: Obj, values: dict[str, Any]) -> None:
    editable = ("auto_advance", "description", "footer", "default_payment_method")
    if invoice["status"] != "draft" and set(values) - {"metadata", "description"}:
        raise StripeError(
            400,
            "You can only modify the metadata and description of a finalized invoice.",
            code="invoice_not_editable",
        )
    _check_due(values.get("collection_method") or invoice["collection_method"], values)
    if values.get("collection_method") == "charge_automatically":
        # Automatic collection has no due date; switching to it drops one.
        invoice.update(due_date=None, _days_until_due=None)
    for name in (*editable, "collection_method", "due_date"):
        if name in values:
            invoice[name] = values[name]
    if "days_until_due" in values:
        invoice["_days_until_due"] = values["days_until_due"]
    update_metadata(invoice, values)


def send_invoice(invoice: Obj) -> Obj:
    """Test mode sends no e-mail; only the state is checked."""
    if invoice["status"] != "open":
        raise _transition(invoice, "send")
    return invoice


def attach_item(store: Store, invoice: Obj, item: Obj) -> None:
    require_draft(invoice)
    item["invoice"] = invoice["id"]
    line_for_item(store, invoice, item)
    refresh_totals(store, invoice)


def detach_item(store: Store, invoice: Obj, item: Obj) -> None:
    require_draft(invoice)
    for line in store.where("line_item", invoice=invoice["id"]):
        details = line["parent"]["invoice_item_details"] or {}
        if details.get("invoice_item") == item["id"]:
            store.delete("line_item", line["id"])
    item["invoice"] = None
    refresh_totals(store, invoice)


def settle_intent(store: Store, intent: Obj) -> None:
    """An invoice's intent confirmed directly (as with its confirmation
    secret) pays the invoice, as Stripe does."""
    for payment in store.where("invoice_payment", status="open"):
        if payment["payment"]["payment_intent"] == intent["id"]:
            invoice = store.get("invoice", payment["invoice"])
            if invoice["status"] in ("open", "uncollectible"):
                _record_payment(store, invoice, payment, intent["amount_received"])


def refresh_totals(store: Store, invoice: Obj) -> None:
    total = sum(
        line["amount"] for line in store.where("line_item", invoice=invoice["id"])
    )
    invoice.update(
        subtotal=total,
        subtotal_excluding_tax=total,
        total=total,
        total_excluding_tax=total,
        # A credit total is owed to the customer: nothing is due.
        amount_due=max(total, 0),
        amount_remaining=max(total, 0) - invoice["amount_paid"],
    )


def finalize_invoice(store: Store, invoice: Obj) -> Obj:
    require_draft(invoice)
    customer = store.get("customer", invoice["customer"])
    now = store.now()
    number = f"{customer['invoice_prefix']}-{customer['next_invoice_sequence']:04d}"
    customer["next_invoice_sequence"] += 1
    invoice.update(
        status="open",
        number=number,
        effective_at=now,
        hosted_invoice_url=f"https://invoice.stripe.com/i/{invoice['id']}",
        invoice_pdf=f"https://pay.stripe.com/invoice/{invoice['id']}/pdf",
        ending_balance=0,
    )
    invoice["status_transitions"]["finalized_at"] = now
    if invoice["collection_method"] == "send_invoice" and not invoice["due_date"]:
        invoice["due_date"] = now + DAY * (invoice["_days_until_due"] or 30)
    if invoice["total"] < 0:
        # Stripe keeps a negative total as credit on the customer's balance.
        customer["balance"] += invoice["total"]
        invoice["ending_balance"] = invoice["total"]
    if invoice["amount_due"] == 0:
        _mark_paid(invoice, now)
    else:
        _create_default_payment(store, invoice)
    return invoice


def pay_invoice(store: Store, invoice: Obj, values: dict[str, Any]) -> Obj:
    if invoice["status"] == "draft":
        finalize_invoice(store, invoice)
    if invoice["status"] == "paid":
        raise StripeError(
            400, "Invoice is already paid", code="invoice_unexpected_state"
        )
    if invoice["status"] not in ("open", "uncollectible"):
        raise _transition(invoice, "pay")
    payment = default_payment(store, invoice)
    if values.get("paid_out_of_band"):
        _settle_out_of_band(store, invoice, payment)
        return invoice
    method = values.get("payment_method") or _invoice_method(store, invoice)
    intent = store.get("payment_intent", payment["payment"]["payment_intent"])
    invoice["attempted"] = True
    invoice["attempt_count"] += 1
    confirm_intent(store, intent, method)
    _record_payment(store, invoice, payment, intent["amount"])
    return invoice


def void_invoice(store: Store, invoice: Obj) -> Obj:
    if invoice["status"] not in ("open", "uncollectible"):
        raise _transition(invoice, "void")
    now = store.now()
    invoice["status"] = "void"
    invoice["status_transitions"]["voided_at"] = now
    invoice["next_payment_attempt"] = None
    payment = default_payment(store, invoice)
    intent = store.get("payment_intent", payment["payment"]["payment_intent"])
    if intent["status"] != "succeeded":
        cancel_intent(store, intent, "void_invoice")
    payment["status"] = "canceled"
    payment["status_transitions"]["canceled_at"] = now
    return invoice


def mark_uncollectible(store: Store, invoice: Obj) -> Obj:
    if invoice["status"] != "open":
        raise _transition(invoice, "mark_uncollectible")
    invoice["status"] = "uncollectible"
    invoice["status_transitions"]["marked_uncollectible_at"] = store.now()
    return invoice


def default_payment(store: Store, invoice: Obj) -> Obj:
    payments = store.where("invoice_payment", invoice=invoice["id"], is_default=True)
    return payments[0]


def _create_default_payment(store: Store, invoice: Obj) -> None:
    intent = create_intent(
        store,
        {
            "amount": invoice["amount_due"],
            "currency": invoice["currency"],
            "customer": invoice["customer"],
            "description": f"Invoice {invoice['number']}",
        },
    )
    payment: Obj = {
        "id": store.new_id("invoice_payment"),
        "object": "invoice_payment",
        "amount_paid": None,
        "amount_requested": invoice["amount_due"],
        "created": store.now(),
        "currency": invoice["currency"],
        "invoice": invoice["id"],
        "is_default": True,
        "livemode": False,
        "payment": {"payment_intent": intent["id"], "type": "payment_intent"},
        "status": "open",
        "status_transitions": {"canceled_at": None, "paid_at": None},
    }
    store.add(payment)


def _record_payment(store: Store, invoice: Obj, payment: Obj, amount: int) -> None:
    now = store.now()
    payment.update(status="paid", amount_paid=amount)
    payment["status_transitions"]["paid_at"] = now
    invoice["amount_paid"] += amount
    invoice["amount_remaining"] = invoice["amount_due"] - invoice["amount_paid"]
    _mark_paid(invoice, now)
    _activate_subscription(store, invoice)


def _activate_subscription(store: Store, invoice: Obj) -> None:
    # A paid invoice ends the wait of an incomplete or past-due subscription.
    parent = invoice["parent"]
    if not parent:
        return
    subscription = store.find(parent["subscription_details"]["subscription"])
    if subscription and subscription["status"] in ("incomplete", "past_due"):
        subscription["status"] = "active"


def _settle_out_of_band(store: Store, invoice: Obj, payment: Obj) -> None:
    now = store.now()
    intent = store.get("payment_intent", payment["payment"]["payment_intent"])
    cancel_intent(store, intent, None)
    payment["status"] = "canceled"
    payment["status_transitions"]["canceled_at"] = now
    invoice["amount_paid_off_stripe"] = invoice["amount_remaining"]
    invoice["amount_paid"] += invoice["amount_remaining"]
    invoice["amount_remaining"] = 0
    _mark_paid(invoice, now)


def _mark_paid(invoice: Obj, now: int) -> None:
    invoice.update(status="paid", next_payment_attempt=None)
    invoice["status_transitions"]["paid_at"] = now


def _invoice_method(store: Store, invoice: Obj) -> str:
    method = invoice["default_payment_method"]
    parent = invoice["parent"]
    if not method and parent:
        sub_id = parent["subscription_details"]["subscription"]
        method = store.get("subscription", sub_id)["default_payment_method"]
    if not method:
        method = default_payment_method(store.get("customer", invoice["customer"]))
    if not method:
        raise StripeError(
            400,
            "This customer has no attached payment source or default payment method. "
            "Please consider adding a default payment method.",
            code="invoice_no_payment_method_types",
        )
    return str(method)


def _check_due(method: str, values: dict[str, Any]) -> None:
    has_due = values.get("due_date") or values.get("days_until_due")
    if method == "charge_automatically" and has_due:
        raise StripeError(
            400,
            "Invoices with `collection_method=charge_automatically` cannot have "
            "`days_until_due` or `due_date`.",
            param="collection_method",
        )


def require_draft(invoice: Obj) -> None:
    if invoice["status"] != "draft":
        raise StripeError(
            400,
            f"This invoice is already finalized; its status is {invoice['status']}.",
            code="invoice_not_editable",
        )


def _transition(invoice: Obj, action: str) -> StripeError:
    return StripeError(
        400,
        f"You cannot {action.replace('_', ' ')} this invoice because it has a "
        f"status of {invoice['status']}.",
        code="status_transition_invalid",
    )


def _build(
    store: Store, customer: Obj, currency: str, values: dict[str, Any], reason: str
) -> Obj:
    now = store.now()
    method = values.get("collection_method") or "charge_automatically"
    subscription = values.get("subscription")
    return {
        "id": store.new_id("invoice"),
        "object": "invoice",
        "account_country": "US",
        "account_name": "Sandbox Inc.",
        "account_tax_ids": None,
        "amount_due": 0,
        "amount_overpaid": 0,
        "amount_paid": 0,
        "amount_paid_off_stripe": None,
        "amount_remaining": 0,
        "amount_shipping": 0,
        "application": None,
        "attempt_count": 0,
        "attempted": False,
        "auto_advance": bool(values.get("auto_advance")),
        "automatic_tax": {
            "disabled_reason": None,
            "enabled": False,
            "liability": None,
            "provider": None,
            "status": None,
        },
        "automatically_finalizes_at": None,
        "billing_reason": reason,
        "collection_method": method,
        "created": now,
        "currency": currency,
        "custom_fields": None,
        "customer": customer["id"],
        "customer_account": None,
        "customer_address": customer["address"],
        "customer_email": customer["email"],
        "customer_name": customer["name"],
        "customer_phone": customer["phone"],
        "customer_shipping": customer["shipping"],
        "customer_tax_exempt": customer["tax_exempt"],
        "customer_tax_ids": [],
        "default_payment_method": values.get("default_payment_method"),
        "default_source": None,
        "default_tax_rates": [],
        "description": values.get("description"),
        "discounts": [],
        "due_date": values.get("due_date"),
        "effective_at": None,
        "ending_balance": None,
        "footer": values.get("footer"),
        "from_invoice": None,
        "hosted_invoice_url": None,
        "invoice_pdf": None,
        "issuer": {"account": None, "type": "self"},
        "last_finalization_error": None,
        "latest_revision": None,
        "livemode": False,
        "metadata": {},
        "next_payment_attempt": None,
        "number": None,
        "on_behalf_of": None,
        "parent": _parent(subscription),
        "payment_settings": {
            "default_mandate": None,
            "payment_method_options": None,
            "payment_method_types": None,
        },
        "period_end": now,
        "period_start": now,
        "post_payment_credit_notes_amount": 0,
        "pre_payment_credit_notes_amount": 0,
        "receipt_number": None,
        "rendering": {
            "amount_tax_display": None,
            "pdf": {"page_size": "auto"},
            "template": None,
            "template_version": None,
        },
        "shipping_cost": None,
        "shipping_details": None,
        "starting_balance": 0,
        "statement_descriptor": None,
        "status": "draft",
        "status_details": None,
        "status_transitions": {
            "finalized_at": None,
            "marked_uncollectible_at": None,
            "paid_at": None,
            "voided_at": None,
        },
        "subtotal": 0,
        "subtotal_excluding_tax": 0,
        "test_clock": None,
        "threshold_reason": None,
        "total": 0,
        "total_discount_amounts": [],
        "total_excluding_tax": 0,
        "total_pretax_credit_amounts": [],
        "total_taxes": [],
        "webhooks_delivered_at": now,
        # Not an Invoice field at this version; kept to compute due_date.
        "_days_until_due": values.get("days_until_due"),
    }


def _parent(subscription: str | None) -> Obj | None:
    if subscription is None:
        return None
    details: Obj = {
        "metadata": {},
        "subscription": subscription,
        "subscription_proration_date": None,
    }
    return {
        "quote_details": None,
        "subscription_details": details,
        "type": "subscription_details",
    }
