"""Subscriptions after creation: item changes and their prorations,
deferred and immediate cancellation, resume, and the first payment's
behaviours."""

from __future__ import annotations

from typing import Any

import httpx

from gateway.sandbox.server import SandboxThread
from tests.sandbox.calls import customer, monthly_price, ok, refused
from tests.sandbox.conftest import store_of


def subscribe(http: httpx.Client, extra: dict[str, str] | None = None) -> Any:
    buyer = customer(http)
    price = monthly_price(http, 2000)
    data = {
        "customer": buyer["id"],
        "items[0][price]": price["id"],
        **(extra or {}),
    }
    return ok(http, "/v1/subscriptions", data)


def pending(http: httpx.Client, customer_id: str) -> list[Any]:
    params = {"customer": customer_id, "pending": "true"}
    items: list[Any] = http.get("/v1/invoiceitems", params=params).json()["data"]
    return sorted(items, key=lambda item: item["amount"])


def test_quantity_change_creates_pending_prorations(blank: httpx.Client) -> None:
    subscription = subscribe(blank)
    item = subscription["items"]["data"][0]

    updated = ok(
        blank,
        f"/v1/subscriptions/{subscription['id']}",
        {"items[0][id]": item["id"], "items[0][quantity]": "2"},
    )
    prorations = pending(blank, subscription["customer"])

    assert updated["items"]["data"][0]["quantity"] == 2
    assert [p["amount"] for p in prorations] == [-2000, 4000]
    assert all(p["proration"] for p in prorations)
    details = prorations[0]["parent"]["subscription_details"]
    assert details == {
        "subscription": subscription["id"],
        "subscription_item": item["id"],
    }
    assert prorations[0]["description"].startswith("Unused time on 1 × Plan")
    assert prorations[1]["description"].startswith("Remaining time on 2 × Plan")


def test_no_prorations_when_asked_for_none(blank: httpx.Client) -> None:
    subscription = subscribe(blank)
    item = subscription["items"]["data"][0]

    ok(
        blank,
        f"/v1/subscriptions/{subscription['id']}",
        {
            "items[0][id]": item["id"],
            "items[0][quantity]": "3",
            "proration_behavior": "none",
        },
    )

    assert pending(blank, subscription["customer"]) == []


def test_price_change_invoiced_at_once(blank: httpx.Client) -> None:
    subscription = subscribe(blank)
    item = subscription["items"]["data"][0]
    bigger = monthly_price(blank, 5000, name="Pro")

    updated = ok(
        blank,
        f"/v1/subscriptions/{subscription['id']}",
        {
            "items[0][id]": item["id"],
            "items[0][price]": bigger["id"],
            "proration_behavior": "always_invoice",
            "expand[]": "latest_invoice",
        },
    )

    invoice = updated["latest_invoice"]
    assert updated["items"]["data"][0]["price"]["id"] == bigger["id"]
    assert invoice["billing_reason"] == "subscription_update"
    assert invoice["status"] == "paid" and invoice["amount_paid"] == 3000
    assert [line["amount"] for line in invoice["lines"]["data"]] == [-2000, 5000]
    assert all(
        line["parent"]["invoice_item_details"]["proration"]
        for line in invoice["lines"]["data"]
    )
    assert pending(blank, subscription["customer"]) == []


def test_items_added_and_deleted(blank: httpx.Client) -> None:
    subscription = subscribe(blank)
    first = subscription["items"]["data"][0]
    extra = monthly_price(blank, 700, name="Seat")
    url = f"/v1/subscriptions/{subscription['id']}"

    added = ok(
        blank,
        url,
        {
            "items[0][price]": extra["id"],
            "items[0][quantity]": "2",
            "proration_behavior": "none",
        },
    )
    second = added["items"]["data"][1]
    none_left = refused(
        blank,
        url,
        {
            "items[0][id]": first["id"],
            "items[0][deleted]": "true",
            "items[1][id]": second["id"],
            "items[1][deleted]": "true",
        },
    )
    removed = ok(
        blank,
        url,
        {"items[0][id]": first["id"], "items[0][deleted]": "true"},
    )

    assert [i["quantity"] for i in added["items"]["data"]] == [1, 2]
    assert second["current_period_end"] == first["current_period_end"]
    assert none_left["param"] == "items"
    assert [i["id"] for i in removed["items"]["data"]] == [second["id"]]
    assert [p["amount"] for p in pending(blank, subscription["customer"])] == [-2000]


def test_cancel_at_period_end_and_back(blank: httpx.Client) -> None:
    subscription = subscribe(blank)
    url = f"/v1/subscriptions/{subscription['id']}"

    scheduled = ok(blank, url, {"cancel_at_period_end": "true"})
    kept = ok(blank, url, {"cancel_at_period_end": "false"})

    period_end = subscription["items"]["data"][0]["current_period_end"]
    assert scheduled["status"] == "active" and scheduled["cancel_at"] == period_end
    assert scheduled["cancel_at_period_end"] is True
    assert kept["cancel_at"] is None and kept["cancel_at_period_end"] is False


def test_cancel_now_with_a_prorated_final_invoice(blank: httpx.Client) -> None:
    subscription = subscribe(blank)

    response = blank.request(
        "DELETE",
        f"/v1/subscriptions/{subscription['id']}",
        params={
            "invoice_now": "true",
            "prorate": "true",
            "cancellation_details[comment]": "Too dear",
        },
    )
    canceled = response.json()
    final = blank.get(f"/v1/invoices/{canceled['latest_invoice']}").json()
    buyer = blank.get(f"/v1/customers/{subscription['customer']}").json()
    update = refused(
        blank, f"/v1/subscriptions/{subscription['id']}", {"description": "x"}
    )

    assert canceled["status"] == "canceled" and canceled["ended_at"]
    assert canceled["cancellation_details"]["comment"] == "Too dear"
    assert final["total"] == -2000 and final["amount_due"] == 0
    assert final["status"] == "paid"
    assert buyer["balance"] == -2000
    assert update["code"] == "invalid_canceled_subscription_fields"


def test_resume_only_a_paused_subscription(
    in_process: SandboxThread, in_process_api: httpx.Client
) -> None:
    subscription = subscribe(in_process_api)
    url = f"/v1/subscriptions/{subscription['id']}/resume"
    active = refused(in_process_api, url)
    # Nothing in the API pauses a subscription here, so the state is set.
    store_of(in_process).get("subscription", subscription["id"])["status"] = "paused"

    resumed = ok(in_process_api, url, {"expand[]": "latest_invoice"})

    assert active["message"].endswith(
        "Only a subscription with a status of paused may be resumed."
    )
    assert resumed["status"] == "active"
    assert resumed["latest_invoice"]["id"] != subscription["latest_invoice"]
    assert resumed["latest_invoice"]["status"] == "paid"


def test_error_if_incomplete_creates_nothing(blank: httpx.Client) -> None:
    buyer = customer(blank, "pm_card_chargeDeclined")
    price = monthly_price(blank)

    error = refused(
        blank,
        "/v1/subscriptions",
        {
            "customer": buyer["id"],
            "items[0][price]": price["id"],
            "payment_behavior": "error_if_incomplete",
        },
        status=402,
    )
    listed = blank.get("/v1/subscriptions", params={"customer": buyer["id"]})

    assert error["type"] == "card_error" and error["code"] == "card_declined"
    assert listed.json()["data"] == []


def test_default_incomplete_waits_for_the_invoice_intent(blank: httpx.Client) -> None:
    subscription = subscribe(
        blank,
        {
            "payment_behavior": "default_incomplete",
            "expand[]": "latest_invoice.payments",
        },
    )
    payment = subscription["latest_invoice"]["payments"]["data"][0]
    intent_id = payment["payment"]["payment_intent"]

    ok(
        blank,
        f"/v1/payment_intents/{intent_id}/confirm",
        {"payment_method": "pm_card_visa"},
    )
    after = blank.get(
        f"/v1/subscriptions/{subscription['id']}", params={"expand[]": "latest_invoice"}
    ).json()

    assert subscription["status"] == "incomplete"
    assert after["status"] == "active"
    assert after["latest_invoice"]["status"] == "paid"


def test_send_invoice_subscription_starts_active(blank: httpx.Client) -> None:
    subscription = subscribe(
        blank,
        {
            "collection_method": "send_invoice",
            "days_until_due": "10",
            "expand[]": "latest_invoice",
        },
    )

    invoice = subscription["latest_invoice"]
    assert subscription["status"] == "active"
    assert subscription["days_until_due"] == 10
    assert (
        invoice["status"] == "open" and invoice["collection_method"] == "send_invoice"
    )
    assert (
        invoice["due_date"] == invoice["status_transitions"]["finalized_at"] + 864_000
    )
