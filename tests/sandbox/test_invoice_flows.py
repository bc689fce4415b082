"""Invoices through their state machine: draft edits, invoice items attached
and removed, send, void, mark_uncollectible, pay and delete."""

from __future__ import annotations

from typing import Any

import httpx

from tests.sandbox.calls import customer, monthly_price, ok, refused


def draft(http: httpx.Client, method: str | None = "pm_card_visa") -> Any:
    buyer = customer(http, method)
    invoice = ok(http, "/v1/invoices", {"customer": buyer["id"]})
    for amount in ("1200", "800"):
        ok(
            http,
            "/v1/invoiceitems",
            {
                "customer": buyer["id"],
                "amount": amount,
                "currency": "usd",
                "invoice": invoice["id"],
            },
        )
    return http.get(f"/v1/invoices/{invoice['id']}").json()


def test_a_draft_is_editable_until_finalized(blank: httpx.Client) -> None:
    invoice = draft(blank)
    url = f"/v1/invoices/{invoice['id']}"

    updated = ok(
        blank,
        url,
        {
            "description": "March",
            "metadata[po]": "9",
            "collection_method": "send_invoice",
            "days_until_due": "14",
        },
    )
    opened = ok(blank, f"{url}/finalize")
    locked = refused(blank, url, {"collection_method": "charge_automatically"})
    described = ok(blank, url, {"description": "March, final"})

    assert updated["description"] == "March" and updated["metadata"] == {"po": "9"}
    assert updated["collection_method"] == "send_invoice"
    finalized_at = opened["status_transitions"]["finalized_at"]
    assert opened["due_date"] == finalized_at + 14 * 86_400
    assert locked["code"] == "invoice_not_editable"
    assert described["description"] == "March, final"


def test_due_dates_need_send_invoice(blank: httpx.Client) -> None:
    invoice = draft(blank)

    error = refused(blank, f"/v1/invoices/{invoice['id']}", {"days_until_due": "5"})

    assert error["param"] == "collection_method"


def test_invoice_items_attach_to_and_leave_a_draft(blank: httpx.Client) -> None:
    invoice = draft(blank)
    price = ok(
        blank,
        "/v1/prices",
        {
            "product": ok(blank, "/v1/products", {"name": "Setup"})["id"],
            "currency": "usd",
            "unit_amount": "500",
        },
    )

    item = ok(
        blank,
        "/v1/invoiceitems",
        {
            "customer": invoice["customer"],
            "price": price["id"],
            "quantity": "2",
            "description": "Setup fee",
            "invoice": invoice["id"],
        },
    )
    with_item = blank.get(f"/v1/invoices/{invoice['id']}").json()
    removed = blank.delete(f"/v1/invoiceitems/{item['id']}").json()
    without = blank.get(f"/v1/invoices/{invoice['id']}").json()

    assert item["amount"] == 1000 and item["invoice"] == invoice["id"]
    assert with_item["total"] == 3000 and len(with_item["lines"]["data"]) == 3
    assert removed == {"id": item["id"], "object": "invoiceitem", "deleted": True}
    assert without["total"] == 2000 and without["amount_due"] == 2000
    assert len(without["lines"]["data"]) == 2


def test_a_finalized_invoice_keeps_its_items(blank: httpx.Client) -> None:
    invoice = draft(blank)
    ok(blank, f"/v1/invoices/{invoice['id']}/finalize")
    item_id = invoice["lines"]["data"][0]["parent"]["invoice_item_details"][
        "invoice_item"
    ]
    before = blank.get("/v1/invoiceitems", params={"customer": invoice["customer"]})

    delete = blank.delete(f"/v1/invoiceitems/{item_id}")
    attach = refused(
        blank,
        "/v1/invoiceitems",
        {
            "customer": invoice["customer"],
            "amount": "100",
            "currency": "usd",
            "invoice": invoice["id"],
        },
    )
    after = blank.get("/v1/invoiceitems", params={"customer": invoice["customer"]})

    assert delete.status_code == 400
    assert delete.json()["error"]["code"] == "invoice_not_editable"
    assert attach["code"] == "invoice_not_editable"
    assert len(after.json()["data"]) == len(before.json()["data"]) == 2


def test_send_only_an_open_invoice(blank: httpx.Client) -> None:
    invoice = draft(blank)
    url = f"/v1/invoices/{invoice['id']}"

    from_draft = refused(blank, f"{url}/send")
    ok(blank, f"{url}/finalize")
    sent = ok(blank, f"{url}/send")
    ok(blank, f"{url}/pay")
    from_paid = refused(blank, f"{url}/send")

    assert from_draft["code"] == "status_transition_invalid"
    assert sent["status"] == "open"
    assert from_paid["code"] == "status_transition_invalid"


def test_uncollectible_then_paid_out_of_band(blank: httpx.Client) -> None:
    invoice = draft(blank, method=None)
    url = f"/v1/invoices/{invoice['id']}"
    ok(blank, f"{url}/finalize")

    uncollectible = ok(blank, f"{url}/mark_uncollectible")
    twice = refused(blank, f"{url}/mark_uncollectible")
    paid = ok(blank, f"{url}/pay", {"paid_out_of_band": "true"})
    void_paid = refused(blank, f"{url}/void")

    assert uncollectible["status"] == "uncollectible"
    assert uncollectible["status_transitions"]["marked_uncollectible_at"]
    assert twice["code"] == "status_transition_invalid"
    assert paid["status"] == "paid" and paid["amount_paid_off_stripe"] == 2000
    assert paid["amount_remaining"] == 0
    assert void_paid["code"] == "status_transition_invalid"


def test_pay_with_a_named_payment_method(blank: httpx.Client) -> None:
    invoice = draft(blank, method=None)

    paid = ok(
        blank,
        f"/v1/invoices/{invoice['id']}/pay",
        {"payment_method": "pm_card_mastercard"},
    )

    assert paid["status"] == "paid" and paid["amount_paid"] == 2000
    assert paid["attempted"] is True and paid["attempt_count"] == 1


def test_only_a_one_off_draft_can_be_deleted(blank: httpx.Client) -> None:
    one_off = draft(blank)
    finalized = draft(blank)
    ok(blank, f"/v1/invoices/{finalized['id']}/finalize")
    buyer = customer(blank)
    subscription = ok(
        blank,
        "/v1/subscriptions",
        {"customer": buyer["id"], "items[0][price]": monthly_price(blank)["id"]},
    )

    deleted = blank.delete(f"/v1/invoices/{one_off['id']}")
    open_one = blank.delete(f"/v1/invoices/{finalized['id']}")
    of_subscription = blank.delete(f"/v1/invoices/{subscription['latest_invoice']}")

    assert deleted.json()["deleted"] is True
    assert blank.get(f"/v1/invoices/{one_off['id']}").status_code == 404
    assert open_one.status_code == of_subscription.status_code == 400
