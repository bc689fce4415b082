"""PaymentIntents with manual capture, their charges and refunds: capture,
partial capture, cancel, update, and the errors of each wrong state."""

from __future__ import annotations

import httpx

from gateway.sandbox.server import SandboxThread
from tests.sandbox.calls import authorized_intent, customer, ok, refused
from tests.sandbox.conftest import store_of


def test_manual_capture_authorizes_then_captures_all(blank: httpx.Client) -> None:
    intent = authorized_intent(blank, 1000)
    charge = blank.get(f"/v1/charges/{intent['latest_charge']}").json()

    captured = ok(blank, f"/v1/payment_intents/{intent['id']}/capture")
    after = blank.get(f"/v1/charges/{intent['latest_charge']}").json()

    assert intent["status"] == "requires_capture"
    assert intent["amount_capturable"] == 1000 and intent["amount_received"] == 0
    assert charge["captured"] is False and charge["amount_captured"] == 0
    assert charge["paid"] is True and charge["status"] == "succeeded"
    assert captured["status"] == "succeeded"
    assert captured["amount_received"] == 1000 and captured["amount_capturable"] == 0
    assert after["captured"] is True and after["amount_captured"] == 1000
    assert after["amount_refunded"] == 0


def test_partial_capture_releases_the_rest(blank: httpx.Client) -> None:
    intent = authorized_intent(blank, 1000)
    charge_id = intent["latest_charge"]

    captured = ok(
        blank,
        f"/v1/payment_intents/{intent['id']}/capture",
        {"amount_to_capture": "600"},
    )
    charge = blank.get(f"/v1/charges/{charge_id}", params={"expand[]": "refunds"})
    refund = ok(blank, "/v1/refunds", {"charge": charge_id})
    refunded = blank.get(f"/v1/charges/{charge_id}").json()

    assert captured["amount_received"] == 600 and captured["amount_capturable"] == 0
    body = charge.json()
    assert body["amount_captured"] == 600 and body["amount_refunded"] == 400
    assert body["refunded"] is False
    assert [r["amount"] for r in body["refunds"]["data"]] == [400]
    assert refund["amount"] == 600
    assert refunded["refunded"] is True and refunded["amount_refunded"] == 1000


def test_capture_refuses_more_than_capturable_and_other_states(
    blank: httpx.Client,
) -> None:
    intent = authorized_intent(blank, 1000)
    url = f"/v1/payment_intents/{intent['id']}/capture"

    too_much = refused(blank, url, {"amount_to_capture": "1001"})
    ok(blank, url)
    again = refused(blank, url)

    assert too_much["code"] == "amount_too_large"
    assert too_much["param"] == "amount_to_capture"
    assert again["code"] == "payment_intent_unexpected_state"
    assert again["message"] == (
        "This PaymentIntent could not be captured because it has a status of "
        "succeeded. Only a PaymentIntent with one of the following statuses may be "
        "captured: requires_capture."
    )


def test_capture_method_can_be_chosen_at_confirmation(blank: httpx.Client) -> None:
    intent = ok(
        blank,
        "/v1/payment_intents",
        {"amount": "700", "currency": "usd", "payment_method": "pm_card_visa"},
    )

    confirmed = ok(
        blank,
        f"/v1/payment_intents/{intent['id']}/confirm",
        {"capture_method": "manual"},
    )

    assert confirmed["status"] == "requires_capture"
    assert confirmed["capture_method"] == "manual"
    assert confirmed["amount_capturable"] == 700


def test_cancel_releases_an_authorization(blank: httpx.Client) -> None:
    intent = authorized_intent(blank, 1200)

    canceled = ok(
        blank,
        f"/v1/payment_intents/{intent['id']}/cancel",
        {"cancellation_reason": "requested_by_customer"},
    )
    charge = blank.get(f"/v1/charges/{intent['latest_charge']}").json()
    again = refused(blank, f"/v1/payment_intents/{intent['id']}/cancel")

    assert canceled["status"] == "canceled" and canceled["canceled_at"]
    assert canceled["cancellation_reason"] == "requested_by_customer"
    assert canceled["amount_capturable"] == 0
    assert charge["captured"] is False
    assert charge["refunded"] is True and charge["amount_refunded"] == 1200
    assert again["code"] == "payment_intent_unexpected_state"
    assert again["message"].startswith(
        "You cannot cancel this PaymentIntent because it has a status of canceled."
    )


def test_cancel_refuses_a_succeeded_intent(blank: httpx.Client) -> None:
    intent = ok(
        blank,
        "/v1/payment_intents",
        {
            "amount": "900",
            "currency": "usd",
            "payment_method": "pm_card_visa",
            "confirm": "true",
        },
    )

    error = refused(blank, f"/v1/payment_intents/{intent['id']}/cancel")

    assert error["message"] == (
        "You cannot cancel this PaymentIntent because it has a status of succeeded. "
        "Only a PaymentIntent with one of the following statuses may be canceled: "
        "requires_payment_method, requires_confirmation, requires_action, "
        "requires_capture, processing."
    )


def test_update_before_and_after_payment(blank: httpx.Client) -> None:
    buyer = customer(blank)
    intent = ok(blank, "/v1/payment_intents", {"amount": "500", "currency": "usd"})
    url = f"/v1/payment_intents/{intent['id']}"

    updated = ok(
        blank,
        url,
        {
            "amount": "800",
            "currency": "EUR",
            "description": "Order 7",
            "metadata[order]": "7",
            "receipt_email": "buyer@example.com",
            "customer": buyer["id"],
            "payment_method": "pm_card_visa",
        },
    )
    ok(blank, f"{url}/confirm")
    amount_after = refused(blank, url, {"amount": "900"})
    metadata_after = ok(blank, url, {"metadata[shipped]": "yes"})
    unknown = refused(blank, url, {"customer": "cus_missing"})

    assert updated["amount"] == 800 and updated["currency"] == "eur"
    assert updated["description"] == "Order 7" and updated["customer"] == buyer["id"]
    assert updated["receipt_email"] == "buyer@example.com"
    assert updated["status"] == "requires_confirmation"
    assert amount_after["code"] == "payment_intent_unexpected_state"
    assert amount_after["param"] == "amount"
    assert metadata_after["metadata"] == {"order": "7", "shipped": "yes"}
    assert unknown["code"] == "resource_missing" and unknown["param"] == "customer"


def test_charge_update_and_capture(blank: httpx.Client) -> None:
    intent = authorized_intent(blank, 1500)
    url = f"/v1/charges/{intent['latest_charge']}"

    updated = ok(blank, url, {"description": "Held", "metadata[k]": "v"})
    captured = ok(blank, f"{url}/capture", {"amount": "1000"})
    again = refused(blank, f"{url}/capture")
    paid = blank.get(f"/v1/payment_intents/{intent['id']}").json()

    assert updated["description"] == "Held" and updated["metadata"] == {"k": "v"}
    assert captured["captured"] is True and captured["amount_captured"] == 1000
    assert captured["amount_refunded"] == 500
    assert again["code"] == "charge_already_captured"
    assert (
        again["message"]
        == f"Charge {intent['latest_charge']} has already been captured."
    )
    assert paid["status"] == "succeeded" and paid["amount_received"] == 1000


def test_refund_update_cancel_and_validation(blank: httpx.Client) -> None:
    paid = ok(
        blank,
        "/v1/payment_intents",
        {
            "amount": "2500",
            "currency": "usd",
            "payment_method": "pm_card_visa",
            "confirm": "true",
        },
    )
    held = authorized_intent(blank, 800)

    bad_reason = refused(
        blank, "/v1/refunds", {"payment_intent": paid["id"], "reason": "bored"}
    )
    refund = ok(
        blank, "/v1/refunds", {"payment_intent": paid["id"], "reason": "duplicate"}
    )
    updated = ok(blank, f"/v1/refunds/{refund['id']}", {"metadata[ticket]": "42"})
    not_metadata = refused(blank, f"/v1/refunds/{refund['id']}", {"amount": "1"})
    cancel = refused(blank, f"/v1/refunds/{refund['id']}/cancel")
    uncaptured = refused(blank, "/v1/refunds", {"charge": held["latest_charge"]})

    assert bad_reason["param"] == "reason"
    assert refund["amount"] == 2500 and refund["reason"] == "duplicate"
    assert updated["metadata"] == {"ticket": "42"}
    assert not_metadata["code"] == "parameter_unknown"
    assert cancel["message"].startswith(f"Refund {refund['id']} cannot be canceled")
    assert uncaptured["code"] == "charge_not_refundable"


def test_a_refund_awaiting_action_can_be_canceled(
    in_process: SandboxThread, in_process_api: httpx.Client
) -> None:
    # No card refund waits for action, so that state is set directly.
    client = in_process_api
    paid = ok(
        client,
        "/v1/payment_intents",
        {
            "amount": "2000",
            "currency": "usd",
            "payment_method": "pm_card_visa",
            "confirm": "true",
        },
    )
    refund = ok(client, "/v1/refunds", {"charge": paid["latest_charge"]})
    store_of(in_process).get("refund", refund["id"])["status"] = "requires_action"

    canceled = ok(client, f"/v1/refunds/{refund['id']}/cancel")
    charge = client.get(f"/v1/charges/{paid['latest_charge']}").json()

    assert canceled["status"] == "canceled"
    assert charge["amount_refunded"] == 0 and charge["refunded"] is False


def test_writes_replay_under_one_idempotency_key(blank: httpx.Client) -> None:
    intent = authorized_intent(blank, 1000)
    headers = {"Idempotency-Key": f"capture-{intent['id']}"}
    url = f"/v1/payment_intents/{intent['id']}/capture"

    first = blank.post(url, data={"amount_to_capture": "400"}, headers=headers)
    replay = blank.post(url, data={"amount_to_capture": "400"}, headers=headers)
    conflict = blank.post(url, data={"amount_to_capture": "500"}, headers=headers)

    assert first.status_code == replay.status_code == 200
    assert replay.json() == first.json()
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert conflict.json()["error"]["type"] == "idempotency_error"
