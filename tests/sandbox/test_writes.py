"""Write flows against an empty sandbox: idempotency, payments, refunds,
invoices and subscriptions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import stripe

from tests.sandbox.conftest import API_KEY, stripe_client
from tests.sandbox_server import SandboxProcess, start_sandbox


@pytest.fixture(scope="module")
def empty_sandbox() -> Iterator[SandboxProcess]:
    server = start_sandbox(seed=None)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def http(empty_sandbox: SandboxProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=empty_sandbox.url, auth=(API_KEY, "")) as client:
        yield client


@pytest.fixture(scope="module")
def client(empty_sandbox: SandboxProcess) -> Iterator[stripe.StripeClient]:
    sdk, transport = stripe_client(empty_sandbox.url)
    yield sdk
    transport.close()


def post(http: httpx.Client, url: str, data: dict[str, Any]) -> dict[str, Any]:
    response = http.post(url, data=data)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def monthly_price(http: httpx.Client, amount: int = 2000, currency: str = "usd") -> str:
    product = post(http, "/v1/products", {"name": "Plan"})
    price = post(
        http,
        "/v1/prices",
        {
            "product": product["id"],
            "currency": currency,
            "unit_amount": str(amount),
            "recurring[interval]": "month",
        },
    )
    return str(price["id"])


def test_idempotent_replay_returns_the_first_response(http: httpx.Client) -> None:
    headers = {"Idempotency-Key": "replay-key-1"}

    first = http.post("/v1/customers", data={"name": "Once"}, headers=headers)
    second = http.post("/v1/customers", data={"name": "Once"}, headers=headers)

    assert second.json() == first.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert second.headers["Original-Request"] == first.headers["Request-Id"]
    found = http.get("/v1/customers", params={"limit": 100}).json()["data"]
    assert [c["name"] for c in found].count("Once") == 1


def test_idempotency_key_with_other_parameters_is_rejected(http: httpx.Client) -> None:
    headers = {"Idempotency-Key": "conflict-key-1"}
    http.post("/v1/customers", data={"name": "First"}, headers=headers)

    response = http.post("/v1/customers", data={"name": "Second"}, headers=headers)

    assert response.status_code == 400
    assert response.json()["error"] == {
        "type": "idempotency_error",
        "message": "Keys for idempotent requests can only be used with the same "
        "parameters they were first used with. Try using a key other than "
        "'conflict-key-1' if you meant to execute a different request.",
    }


def test_the_sdk_sends_a_fresh_key_on_every_post(client: stripe.StripeClient) -> None:
    first = client.v1.customers.create({"name": "Twin"})
    second = client.v1.customers.create({"name": "Twin"})

    assert first.id != second.id


def test_metadata_merges_and_empty_values_remove_keys(http: httpx.Client) -> None:
    customer = post(http, "/v1/customers", {"metadata[a]": "1", "metadata[b]": "2"})

    updated = post(
        http, f"/v1/customers/{customer['id']}", {"metadata[a]": "", "metadata[c]": "3"}
    )
    cleared = post(http, f"/v1/customers/{customer['id']}", {"metadata": ""})

    assert updated["metadata"] == {"b": "2", "c": "3"}
    assert cleared["metadata"] == {}


def test_delete_customer_and_product(http: httpx.Client) -> None:
    customer = post(http, "/v1/customers", {"name": "Leaving"})
    product = post(http, "/v1/products", {"name": "Gone"})

    deleted_customer = http.delete(f"/v1/customers/{customer['id']}").json()
    deleted_product = http.delete(f"/v1/products/{product['id']}").json()

    assert deleted_customer == {
        "id": customer["id"],
        "object": "customer",
        "deleted": True,
    }
    assert deleted_product == {
        "id": product["id"],
        "object": "product",
        "deleted": True,
    }
    assert http.get(f"/v1/products/{product['id']}").status_code == 404


def test_declined_card_is_a_402_with_the_failed_charge(
    client: stripe.StripeClient,
) -> None:
    with pytest.raises(stripe.CardError) as raised:
        client.v1.payment_intents.create(
            {
                "amount": 1500,
                "currency": "usd",
                "payment_method": "pm_card_visa_chargeDeclined",
                "confirm": True,
            }
        )

    error = raised.value
    assert error.http_status == 402
    assert error.code == "card_declined"
    assert error.error is not None and error.error.decline_code == "generic_decline"
    intent = error.error.payment_intent
    assert intent is not None and intent.status == "requires_payment_method"
    assert intent.last_payment_error is not None
    charge = client.v1.charges.retrieve(str(error.error.charge))
    assert charge.status == "failed" and charge.paid is False
    assert charge.failure_code == "card_declined"


def test_confirm_moves_an_intent_to_succeeded_once(http: httpx.Client) -> None:
    intent = post(
        http,
        "/v1/payment_intents",
        {"amount": "5000", "currency": "jpy", "payment_method": "pm_card_visa"},
    )

    confirmed = post(http, f"/v1/payment_intents/{intent['id']}/confirm", {})
    again = http.post(f"/v1/payment_intents/{intent['id']}/confirm")

    assert intent["status"] == "requires_confirmation"
    assert intent["client_secret"].startswith(f"{intent['id']}_secret_")
    assert confirmed["status"] == "succeeded"
    assert confirmed["amount_received"] == 5000
    assert confirmed["latest_charge"].startswith("ch_")
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "payment_intent_unexpected_state"


def test_refunds_update_the_charge_until_fully_refunded(http: httpx.Client) -> None:
    intent = post(
        http,
        "/v1/payment_intents",
        {
            "amount": "2000",
            "currency": "usd",
            "payment_method": "pm_card_visa",
            "confirm": "true",
        },
    )
    charge_id = intent["latest_charge"]

    partial = post(http, "/v1/refunds", {"charge": charge_id, "amount": "500"})
    after_partial = http.get(f"/v1/charges/{charge_id}").json()
    too_much = http.post("/v1/refunds", data={"charge": charge_id, "amount": "2000"})
    rest = post(http, "/v1/refunds", {"payment_intent": intent["id"]})
    after_full = http.get(f"/v1/charges/{charge_id}").json()
    again = http.post("/v1/refunds", data={"charge": charge_id})

    assert partial["amount"] == 500 and partial["status"] == "succeeded"
    assert after_partial["amount_refunded"] == 500
    assert after_partial["refunded"] is False
    assert too_much.status_code == 400
    assert too_much.json()["error"]["message"] == (
        "Refund amount ($20.00) is greater than unrefunded amount on charge ($15.00)"
    )
    assert rest["amount"] == 1500
    assert after_full["amount_refunded"] == 2000 and after_full["refunded"] is True
    assert again.json()["error"]["code"] == "charge_already_refunded"


def draft_invoice(http: httpx.Client, method: str | None = "pm_card_visa") -> Any:
    data = {"name": "Billed", "email": "billed@example.com"}
    if method:
        data["invoice_settings[default_payment_method]"] = method
    customer = post(http, "/v1/customers", data)
    for amount in ("1200", "800"):
        post(
            http,
            "/v1/invoiceitems",
            {"customer": customer["id"], "amount": amount, "currency": "eur"},
        )
    return post(
        http,
        "/v1/invoices",
        {"customer": customer["id"], "pending_invoice_items_behavior": "include"},
    )


def test_invoice_finalize_then_pay(http: httpx.Client) -> None:
    draft = draft_invoice(http)

    opened = post(http, f"/v1/invoices/{draft['id']}/finalize", {})
    paid = post(http, f"/v1/invoices/{draft['id']}/pay", {})
    payment = http.get(
        "/v1/invoice_payments",
        params={"invoice": draft["id"], "expand[]": "data.payment.payment_intent"},
    ).json()["data"][0]
    paid_again = http.post(f"/v1/invoices/{draft['id']}/pay")

    assert draft["status"] == "draft" and draft["number"] is None
    assert draft["amount_due"] == 2000 and len(draft["lines"]["data"]) == 2
    assert opened["status"] == "open" and opened["number"]
    assert opened["status_transitions"]["finalized_at"] is not None
    assert paid["status"] == "paid"
    assert paid["amount_paid"] == 2000 and paid["amount_remaining"] == 0
    assert payment["is_default"] is True and payment["status"] == "paid"
    assert payment["payment"]["payment_intent"]["status"] == "succeeded"
    assert payment["payment"]["payment_intent"]["latest_charge"].startswith("ch_")
    assert paid_again.status_code == 400


def test_invoice_void_cancels_its_payment(http: httpx.Client) -> None:
    draft = draft_invoice(http, method=None)
    void_draft = http.post(f"/v1/invoices/{draft['id']}/void")
    post(http, f"/v1/invoices/{draft['id']}/finalize", {})

    voided = post(http, f"/v1/invoices/{draft['id']}/void", {})
    payment = http.get(
        "/v1/invoice_payments",
        params={"invoice": draft["id"], "expand[]": "data.payment.payment_intent"},
    ).json()["data"][0]
    pay_void = http.post(f"/v1/invoices/{draft['id']}/pay")

    assert void_draft.status_code == 400
    assert voided["status"] == "void"
    assert voided["status_transitions"]["voided_at"] is not None
    assert payment["status"] == "canceled"
    assert payment["payment"]["payment_intent"]["status"] == "canceled"
    assert pay_void.status_code == 400


def test_paying_without_a_payment_method_fails(http: httpx.Client) -> None:
    draft = draft_invoice(http, method=None)
    post(http, f"/v1/invoices/{draft['id']}/finalize", {})

    response = http.post(f"/v1/invoices/{draft['id']}/pay")
    declined = http.post(
        f"/v1/invoices/{draft['id']}/pay",
        data={"payment_method": "pm_card_chargeDeclined"},
    )

    assert response.status_code == 400
    assert declined.status_code == 402
    assert http.get(f"/v1/invoices/{draft['id']}").json()["status"] == "open"


def test_subscription_with_a_card_on_file_starts_active(http: httpx.Client) -> None:
    price = monthly_price(http)
    customer = post(
        http,
        "/v1/customers",
        {"invoice_settings[default_payment_method]": "pm_card_visa"},
    )

    subscription = post(
        http,
        "/v1/subscriptions",
        {
            "customer": customer["id"],
            "items[0][price]": price,
            "items[0][quantity]": "2",
            "expand[0]": "latest_invoice",
        },
    )

    item = subscription["items"]["data"][0]
    invoice = subscription["latest_invoice"]
    assert subscription["status"] == "active"
    assert item["quantity"] == 2 and item["price"]["id"] == price
    assert item["current_period_end"] > item["current_period_start"]
    assert invoice["status"] == "paid" and invoice["amount_paid"] == 4000
    assert invoice["billing_reason"] == "subscription_create"
    assert (
        invoice["parent"]["subscription_details"]["subscription"]
        == (subscription["id"])
    )


def test_subscription_without_a_payment_method_is_incomplete(
    http: httpx.Client,
) -> None:
    price = monthly_price(http, amount=35200, currency="bhd")
    customer = post(http, "/v1/customers", {"name": "No card"})

    subscription = post(
        http,
        "/v1/subscriptions",
        {"customer": customer["id"], "items[0][price]": price},
    )
    invoice = http.get(f"/v1/invoices/{subscription['latest_invoice']}").json()
    canceled = http.delete(f"/v1/subscriptions/{subscription['id']}").json()

    assert subscription["status"] == "incomplete"
    assert invoice["status"] == "open" and invoice["amount_remaining"] == 35200
    assert canceled["status"] == "canceled" and canceled["canceled_at"] is not None
