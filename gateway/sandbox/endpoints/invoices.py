"""/v1/invoices, /v1/invoiceitems and /v1/invoice_payments"""

from __future__ import annotations

from ..errors import StripeError
from ..objects.invoice_lines import create_invoice_item, update_invoice_item
from ..objects.invoices import (
    attach_item,
    create_invoice,
    detach_item,
    finalize_invoice,
    mark_uncollectible,
    pay_invoice,
    require_draft,
    send_invoice,
    update_invoice,
    void_invoice,
)
from ..params import in_range
from ..store import Obj
from .base import (
    METADATA,
    Call,
    Endpoint,
    deleted,
    list_page,
    listing,
    matching,
    retrieve,
)

_STATUSES = ("draft", "open", "paid", "uncollectible", "void")
_COLLECTION = ("charge_automatically", "send_invoice")
_INVOICE_UPDATE = {
    **METADATA,
    "auto_advance": "bool",
    "collection_method": _COLLECTION,
    "days_until_due": "int",
    "default_payment_method": "str",
    "description": "str",
    "due_date": "int",
    "footer": "str",
}
_INVOICE_CREATE = {
    **_INVOICE_UPDATE,
    "currency": "str",
    "customer": "str",
    "pending_invoice_items_behavior": ("exclude", "include"),
    "subscription": "str",
}
_ITEM = {
    **METADATA,
    "amount": "int",
    "currency": "str",
    "customer": "str",
    "description": "str",
    "invoice": "str",
    "period": {"start": "int", "end": "int"},
    "price": "str",
    "pricing": {"price": "str"},
    "quantity": "int",
}


def _list_invoices(call: Call) -> Obj:
    values = call.values
    invoices = matching(
        call.store.all("invoice"), values, ("customer", "status", "collection_method")
    )
    if values.get("subscription"):
        invoices = [
            inv for inv in invoices if _subscription_of(inv) == values["subscription"]
        ]
    if values.get("due_date"):
        invoices = [
            inv for inv in invoices if in_range(inv["due_date"], values["due_date"])
        ]
    return list_page(call, "invoice", invoices, "/v1/invoices")


def _subscription_of(invoice: Obj) -> str | None:
    parent = invoice["parent"] or {}
    details = parent.get("subscription_details") or {}
    return details.get("subscription")


def _create_invoice(call: Call) -> Obj:
    values = call.values
    if values.get("subscription"):
        call.store.ref("subscription", values["subscription"], "subscription")
    return call.render(create_invoice(call.store, values))


def _update_invoice(call: Call) -> Obj:
    invoice = call.store.get("invoice", call.path["id"])
    update_invoice(invoice, call.values)
    return call.render(invoice)


def _delete_invoice(call: Call) -> Obj:
    invoice = call.store.get("invoice", call.path["id"])
    if invoice["status"] != "draft" or invoice["parent"]:
        raise StripeError(
            400,
            "You can only delete draft invoices that are not part of a subscription.",
            code="invoice_not_editable",
        )
    for line in call.store.where("line_item", invoice=invoice["id"]):
        call.store.delete("line_item", line["id"])
    for item in call.store.where("invoiceitem", invoice=invoice["id"]):
        item["invoice"] = None
    call.store.delete("invoice", invoice["id"])
    return deleted(invoice)


def _lines(call: Call) -> Obj:
    invoice = call.store.get("invoice", call.path["id"])
    lines = call.store.where("line_item", invoice=invoice["id"])
    url = f"/v1/invoices/{invoice['id']}/lines"
    return list_page(call, "line_item", lines, url, newest_first=False)


def _action(change: str) -> Endpoint:
    def handler(call: Call) -> Obj:
        invoice = call.store.get("invoice", call.path["id"])
        if change == "finalize":
            finalize_invoice(call.store, invoice)
        elif change == "pay":
            pay_invoice(call.store, invoice, call.values)
        elif change == "void":
            void_invoice(call.store, invoice)
        elif change == "send":
            send_invoice(invoice)
        else:
            mark_uncollectible(call.store, invoice)
        return call.render(invoice)

    spec = _ACTION_SPECS.get(change, {})
    return Endpoint("POST", f"/v1/invoices/{{id}}/{change}", handler, "invoice", spec)


_ACTION_SPECS = {
    "finalize": {"auto_advance": "bool"},
    "pay": {
        "forgive": "bool",
        "off_session": "bool",
        "paid_out_of_band": "bool",
        "payment_method": "str",
    },
}


def _list_items(call: Call) -> Obj:
    values = call.values
    items = matching(call.store.all("invoiceitem"), values, ("customer", "invoice"))
    if values.get("pending") is not None:
        items = [
            item for item in items if (item["invoice"] is None) == values["pending"]
        ]
    return list_page(call, "invoiceitem", items, "/v1/invoiceitems")


def _create_item(call: Call) -> Obj:
    values = call.values
    invoice = None
    if values.get("invoice"):
        invoice = call.store.ref("invoice", values["invoice"], "invoice")
        require_draft(invoice)
    item = create_invoice_item(call.store, values)
    if invoice is not None:
        attach_item(call.store, invoice, item)
    return call.render(item)


def _update_item(call: Call) -> Obj:
    item = call.store.get("invoiceitem", call.path["id"])
    update_invoice_item(item, call.values)
    return call.render(item)


def _delete_item(call: Call) -> Obj:
    item = call.store.get("invoiceitem", call.path["id"])
    if item["invoice"]:
        # Only a draft gives up its items; detaching checks that.
        detach_item(call.store, call.store.get("invoice", item["invoice"]), item)
    call.store.delete("invoiceitem", item["id"])
    return deleted(item)


def _list_payments(call: Call) -> Obj:
    values = call.values
    payments = matching(
        call.store.all("invoice_payment"), values, ("invoice", "status")
    )
    wanted = values.get("payment") or {}
    for key in ("payment_intent", "type"):
        if wanted.get(key):
            payments = [p for p in payments if p["payment"].get(key) == wanted[key]]
    return list_page(call, "invoice_payment", payments, "/v1/invoice_payments")


ENDPOINTS = [
    listing(
        "/v1/invoices",
        _list_invoices,
        "invoice",
        {
            "collection_method": _COLLECTION,
            "customer": "str",
            "due_date": "range",
            "status": _STATUSES,
            "subscription": "str",
        },
    ),
    Endpoint(
        "POST",
        "/v1/invoices",
        _create_invoice,
        "invoice",
        _INVOICE_CREATE,
        ("customer",),
    ),
    retrieve("/v1/invoices/{id}", "invoice"),
    Endpoint("POST", "/v1/invoices/{id}", _update_invoice, "invoice", _INVOICE_UPDATE),
    Endpoint("DELETE", "/v1/invoices/{id}", _delete_invoice, "deleted"),
    listing("/v1/invoices/{id}/lines", _lines, "line_item", {}),
    _action("finalize"),
    _action("pay"),
    _action("void"),
    _action("send"),
    _action("mark_uncollectible"),
    listing(
        "/v1/invoiceitems",
        _list_items,
        "invoiceitem",
        {"customer": "str", "invoice": "str", "pending": "bool"},
    ),
    Endpoint(
        "POST", "/v1/invoiceitems", _create_item, "invoiceitem", _ITEM, ("customer",)
    ),
    retrieve("/v1/invoiceitems/{id}", "invoiceitem"),
    Endpoint(
        "POST",
        "/v1/invoiceitems/{id}",
        _update_item,
        "invoiceitem",
        {**METADATA, "description": "str"},
    ),
    Endpoint("DELETE", "/v1/invoiceitems/{id}", _delete_item, "deleted"),
    listing(
        "/v1/invoice_payments",
        _list_payments,
        "invoice_payment",
        {
            "invoice": "str",
            "payment": {"payment_intent": "str", "type": ("payment_intent",)},
            "status": ("canceled", "open", "paid"),
        },
    ),
    retrieve("/v1/invoice_payments/{id}", "invoice_payment"),
]
