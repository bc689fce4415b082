"""Taking payments through the graph: intents, charges and refunds."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from gateway.sandbox.server import SandboxThread, start_in_thread
from gateway.sandbox.store import Store
from tests.conftest import SANDBOX_KEY
from tests.sandbox_server import SandboxProcess
from tests.servers import GraphQL, graphql_client, start_gateway

INTENT = """
  id status captureMethod description receiptEmail metadata cancellationReason
  amount { amount currency decimal }
  amountCapturable { amount }
  amountReceived { amount }
  lastPaymentError { code declineCode }
  latestCharge { id status captured amountCaptured { amount } }
"""

INTENT_CREATE = f"""
mutation ($input: PaymentIntentCreateInput!) {{
  paymentIntentCreate(input: $input) {{
    paymentIntent {{ {INTENT} }}
    userErrors {{ field code message }}
  }}
}}
"""

INTENT_UPDATE = f"""
mutation ($input: PaymentIntentUpdateInput!) {{
  paymentIntentUpdate(input: $input) {{
    paymentIntent {{ {INTENT} }}
    userErrors {{ field code message }}
  }}
}}
"""

INTENT_CONFIRM = f"""
mutation ($input: PaymentIntentConfirmInput!) {{
  paymentIntentConfirm(input: $input) {{
    paymentIntent {{ {INTENT} }}
    userErrors {{ field code message }}
  }}
}}
"""

INTENT_CAPTURE = f"""
mutation ($input: PaymentIntentCaptureInput!) {{
  paymentIntentCapture(input: $input) {{
    paymentIntent {{ {INTENT} }}
    userErrors {{ field code message }}
  }}
}}
"""

INTENT_CANCEL = f"""
mutation ($input: PaymentIntentCancelInput!) {{
  paymentIntentCancel(input: $input) {{
    paymentIntent {{ {INTENT} }}
    userErrors {{ field code message }}
  }}
}}
"""

INTENT_QUERY = f"""
query ($id: ID!) {{ paymentIntent(id: $id) {{ {INTENT} }} }}
"""

CHARGE = """
  id status captured description metadata refunded
  amount { amount currency }
  amountCaptured { amount }
  amountRefunded { amount }
  paymentIntent { id status amountReceived { amount } }
"""

CHARGE_UPDATE = f"""
mutation ($input: ChargeUpdateInput!) {{
  chargeUpdate(input: $input) {{
    charge {{ {CHARGE} }}
    userErrors {{ field code message }}
  }}
}}
"""

CHARGE_CAPTURE = f"""
mutation ($input: ChargeCaptureInput!) {{
  chargeCapture(input: $input) {{
    charge {{ {CHARGE} }}
    userErrors {{ field code message }}
  }}
}}
"""

CHARGE_QUERY = f"""
query ($id: ID!) {{
  charge(id: $id) {{ {CHARGE} refunds {{ nodes {{ id amount {{ amount }} }} }} }}
}}
"""

REFUND = """
  id status reason metadata
  amount { amount currency decimal }
  charge { id refunded amountRefunded { amount } }
  paymentIntent { id }
"""

REFUND_CREATE = f"""
mutation ($input: RefundCreateInput!) {{
  refundCreate(input: $input) {{
    refund {{ {REFUND} }}
    userErrors {{ field code message }}
  }}
}}
"""

REFUND_UPDATE = f"""
mutation ($input: RefundUpdateInput!) {{
  refundUpdate(input: $input) {{
    refund {{ {REFUND} }}
    userErrors {{ field code message }}
  }}
}}
"""

REFUND_CANCEL = f"""
mutation ($input: RefundCancelInput!) {{
  refundCancel(input: $input) {{
    refund {{ {REFUND} }}
    userErrors {{ field code message }}
  }}
}}
"""

REFUND_QUERY = f"""
query ($id: ID!) {{ refund(id: $id) {{ {REFUND} }} }}
"""


def usd(decimal: str) -> dict[str, str]:
    return {"decimal": decimal, "currency": "usd"}


def writes(sandbox: SandboxProcess) -> list[str]:
    return [r["path"] for r in sandbox.requests() if r["method"] != "GET"]


def payload(body: dict[str, Any], name: str) -> dict[str, Any]:
    assert "errors" not in body, body.get("errors")
    result: dict[str, Any] = body["data"][name]
    return result


def succeeded(body: dict[str, Any], name: str) -> dict[str, Any]:
    """The payload of a mutation that must have worked."""
    result = payload(body, name)
    assert result["userErrors"] == [], result["userErrors"]
    return result


def create_intent(graphql: GraphQL, **input: Any) -> dict[str, Any]:
    body = graphql(INTENT_CREATE, input={"amount": usd("20.00"), **input})
    intent: dict[str, Any] = succeeded(body, "paymentIntentCreate")["paymentIntent"]
    return intent


def paid_intent(graphql: GraphQL, **input: Any) -> dict[str, Any]:
    return create_intent(graphql, paymentMethod="pm_card_visa", confirm=True, **input)


def authorised_intent(graphql: GraphQL) -> dict[str, Any]:
    return paid_intent(graphql, captureMethod="MANUAL")


def test_an_intent_is_created_changed_and_confirmed(graphql: GraphQL) -> None:
    created = create_intent(graphql, description="Order 17", metadata={"order": "17"})
    changed = succeeded(
        graphql(
            INTENT_UPDATE,
            input={
                "id": created["id"],
                "amount": usd("25.50"),
                "description": "Order 17, with gift wrap",
                "metadata": {"wrap": "yes"},
                "paymentMethod": "pm_card_visa",
                "receiptEmail": "buyer@example.com",
            },
        ),
        "paymentIntentUpdate",
    )["paymentIntent"]
    confirmed = succeeded(
        graphql(INTENT_CONFIRM, input={"id": created["id"]}), "paymentIntentConfirm"
    )["paymentIntent"]
    shown = graphql(INTENT_QUERY, id=created["id"])["data"]["paymentIntent"]

    assert created["status"] == "REQUIRES_PAYMENT_METHOD"
    assert created["amount"] == {"amount": 2000, "currency": "usd", "decimal": "20.00"}
    assert changed["status"] == "REQUIRES_CONFIRMATION"
    assert confirmed["status"] == "SUCCEEDED"
    assert shown["amountReceived"] == {"amount": 2550}
    assert shown["description"] == "Order 17, with gift wrap"
    assert shown["receiptEmail"] == "buyer@example.com"
    assert shown["metadata"] == {"order": "17", "wrap": "yes"}
    assert shown["latestCharge"]["status"] == "SUCCEEDED"
    assert shown["latestCharge"]["captured"] is True


def test_an_intent_created_with_confirm_is_charged_at_once(graphql: GraphQL) -> None:
    intent = paid_intent(graphql, amount={"decimal": "35.200", "currency": "bhd"})

    shown = graphql(INTENT_QUERY, id=intent["id"])["data"]["paymentIntent"]

    assert intent["status"] == "SUCCEEDED"
    assert shown["amountReceived"] == {"amount": 35200}
    assert shown["captureMethod"] == "automatic"


@pytest.mark.parametrize(
    ("amount_to_capture", "captured"), [(None, 2000), (usd("12.50"), 1250)]
)
def test_an_authorised_intent_is_captured_in_full_or_in_part(
    graphql: GraphQL, amount_to_capture: dict[str, str] | None, captured: int
) -> None:
    intent = authorised_intent(graphql)

    body = graphql(
        INTENT_CAPTURE,
        input={"id": intent["id"], "amountToCapture": amount_to_capture},
    )

    capture = succeeded(body, "paymentIntentCapture")["paymentIntent"]
    shown = graphql(INTENT_QUERY, id=intent["id"])["data"]["paymentIntent"]
    assert intent["status"] == "REQUIRES_CAPTURE"
    assert intent["amountCapturable"] == {"amount": 2000}
    assert intent["latestCharge"]["captured"] is False
    assert capture["status"] == "SUCCEEDED"
    assert shown["amountReceived"] == {"amount": captured}
    assert shown["amountCapturable"] == {"amount": 0}
    assert shown["latestCharge"]["amountCaptured"] == {"amount": captured}


def test_an_intent_is_canceled_with_a_reason(graphql: GraphQL) -> None:
    intent = create_intent(graphql)

    body = graphql(
        INTENT_CANCEL,
        input={"id": intent["id"], "cancellationReason": "REQUESTED_BY_CUSTOMER"},
    )

    canceled = succeeded(body, "paymentIntentCancel")["paymentIntent"]
    shown = graphql(INTENT_QUERY, id=intent["id"])["data"]["paymentIntent"]
    assert canceled["status"] == "CANCELED"
    assert shown["status"] == "CANCELED"
    assert shown["cancellationReason"] == "requested_by_customer"


def test_canceling_an_authorisation_releases_it(graphql: GraphQL) -> None:
    intent = authorised_intent(graphql)

    body = graphql(INTENT_CANCEL, input={"id": intent["id"]})

    canceled = succeeded(body, "paymentIntentCancel")["paymentIntent"]
    assert canceled["status"] == "CANCELED"
    assert canceled["amountCapturable"] == {"amount": 0}


@pytest.mark.parametrize(
    ("method", "decline_code"),
    [
        ("pm_card_visa_chargeDeclined", "generic_decline"),
        ("pm_card_chargeDeclined", "generic_decline"),
        ("pm_card_visa_chargeDeclinedInsufficientFunds", "insufficient_funds"),
    ],
)
def test_a_declined_confirm_is_a_user_error_with_the_intent_as_it_is_now(
    graphql: GraphQL, method: str, decline_code: str
) -> None:
    intent = create_intent(graphql)

    body = graphql(INTENT_CONFIRM, input={"id": intent["id"], "paymentMethod": method})

    result = payload(body, "paymentIntentConfirm")
    [error] = result["userErrors"]
    assert error["code"] == "CARD_DECLINED"
    assert f"({decline_code})" in error["message"]
    declined = result["paymentIntent"]
    assert declined["id"] == intent["id"]
    assert declined["status"] == "REQUIRES_PAYMENT_METHOD"
    assert declined["lastPaymentError"] == {
        "code": "card_declined",
        "declineCode": decline_code,
    }
    assert declined["latestCharge"]["status"] == "FAILED"


def test_a_declined_create_returns_the_intent_it_made(graphql: GraphQL) -> None:
    body = graphql(
        INTENT_CREATE,
        input={
            "amount": usd("20.00"),
            "paymentMethod": "pm_card_visa_chargeDeclined",
            "confirm": True,
        },
    )

    result = payload(body, "paymentIntentCreate")
    assert [e["code"] for e in result["userErrors"]] == ["CARD_DECLINED"]
    assert result["paymentIntent"]["id"].startswith("pi_")
    assert result["paymentIntent"]["status"] == "REQUIRES_PAYMENT_METHOD"


def test_a_charge_is_described_and_captured(graphql: GraphQL) -> None:
    charge = authorised_intent(graphql)["latestCharge"]["id"]

    described = succeeded(
        graphql(
            CHARGE_UPDATE,
            input={"id": charge, "description": "Desk", "metadata": {"sku": "D-1"}},
        ),
        "chargeUpdate",
    )["charge"]
    captured = succeeded(
        graphql(CHARGE_CAPTURE, input={"id": charge, "amount": usd("15.00")}),
        "chargeCapture",
    )["charge"]
    shown = graphql(CHARGE_QUERY, id=charge)["data"]["charge"]

    assert described["description"] == "Desk"
    assert described["captured"] is False
    assert captured["captured"] is True
    assert shown["amountCaptured"] == {"amount": 1500}
    assert shown["metadata"] == {"sku": "D-1"}
    assert shown["paymentIntent"]["status"] == "SUCCEEDED"
    assert shown["paymentIntent"]["amountReceived"] == {"amount": 1500}


def test_a_charge_is_captured_in_full_by_default(graphql: GraphQL) -> None:
    charge = authorised_intent(graphql)["latestCharge"]["id"]

    body = graphql(CHARGE_CAPTURE, input={"id": charge})

    captured = succeeded(body, "chargeCapture")["charge"]
    assert captured["amountCaptured"] == {"amount": 2000}


def test_a_charge_is_refunded_in_part_and_the_refund_changed(
    graphql: GraphQL,
) -> None:
    charge = paid_intent(graphql)["latestCharge"]["id"]

    refund = succeeded(
        graphql(
            REFUND_CREATE,
            input={
                "charge": charge,
                "amount": usd("5.00"),
                "reason": "REQUESTED_BY_CUSTOMER",
                "metadata": {"ticket": "T-9"},
            },
        ),
        "refundCreate",
    )["refund"]
    changed = succeeded(
        graphql(REFUND_UPDATE, input={"id": refund["id"], "metadata": {"by": "ops"}}),
        "refundUpdate",
    )["refund"]
    shown = graphql(REFUND_QUERY, id=refund["id"])["data"]["refund"]
    charged = graphql(CHARGE_QUERY, id=charge)["data"]["charge"]

    assert refund["amount"] == {"amount": 500, "currency": "usd", "decimal": "5.00"}
    assert refund["reason"] == "REQUESTED_BY_CUSTOMER"
    assert refund["charge"]["amountRefunded"] == {"amount": 500}
    assert changed["metadata"] == {"ticket": "T-9", "by": "ops"}
    assert shown["metadata"] == {"ticket": "T-9", "by": "ops"}
    assert charged["refunded"] is False
    assert charged["refunds"]["nodes"] == [
        {"id": refund["id"], "amount": {"amount": 500}}
    ]


def test_create_confirm_refund(graphql: GraphQL) -> None:
    created = create_intent(graphql, description="Flow")
    confirmed = succeeded(
        graphql(
            INTENT_CONFIRM, input={"id": created["id"], "paymentMethod": "pm_card_visa"}
        ),
        "paymentIntentConfirm",
    )["paymentIntent"]
    refund = succeeded(
        graphql(REFUND_CREATE, input={"paymentIntent": created["id"]}),
        "refundCreate",
    )["refund"]
    charge = graphql(CHARGE_QUERY, id=confirmed["latestCharge"]["id"])["data"]

    assert confirmed["status"] == "SUCCEEDED"
    assert refund["status"] == "SUCCEEDED"
    assert refund["amount"]["amount"] == 2000
    assert refund["paymentIntent"] == {"id": created["id"]}
    assert charge["charge"]["refunded"] is True
    assert charge["charge"]["amountRefunded"] == {"amount": 2000}


@pytest.fixture(scope="module")
def in_process() -> Iterator[SandboxThread]:
    """A sandbox in this process, for a state no API call reaches."""
    sandbox = start_in_thread(seed=None)
    yield sandbox
    sandbox.stop()


@pytest.fixture(scope="module")
def in_process_graphql(in_process: SandboxThread) -> Iterator[GraphQL]:
    env = {"STRIPE_API_KEY": SANDBOX_KEY, "STRIPE_API_BASE": in_process.url}
    gateway = start_gateway(env)
    yield graphql_client(gateway.url)
    gateway.stop()


def test_a_refund_awaiting_action_is_canceled(
    in_process: SandboxThread, in_process_graphql: GraphQL
) -> None:
    graphql = in_process_graphql
    intent = paid_intent(graphql)
    refund = succeeded(
        graphql(REFUND_CREATE, input={"paymentIntent": intent["id"]}), "refundCreate"
    )["refund"]
    # No card refund waits for action, so the sandbox's state is set directly.
    app: Any = in_process.server.config.app
    store: Store = app.state.store
    store.get("refund", refund["id"])["status"] = "requires_action"

    body = graphql(REFUND_CANCEL, input={"id": refund["id"]})

    canceled = succeeded(body, "refundCancel")["refund"]
    shown = graphql(REFUND_QUERY, id=refund["id"])["data"]["refund"]
    assert canceled["status"] == "CANCELED"
    assert shown["status"] == "CANCELED"
    assert shown["charge"]["amountRefunded"] == {"amount": 0}


def test_wrong_states_are_user_errors(graphql: GraphQL) -> None:
    intent = paid_intent(graphql)
    refund = succeeded(
        graphql(REFUND_CREATE, input={"paymentIntent": intent["id"]}), "refundCreate"
    )["refund"]

    capture = graphql(INTENT_CAPTURE, input={"id": intent["id"]})
    cancel = graphql(INTENT_CANCEL, input={"id": intent["id"]})
    refund_cancel = graphql(REFUND_CANCEL, input={"id": refund["id"]})
    refund_again = graphql(REFUND_CREATE, input={"paymentIntent": intent["id"]})

    for body, name in [
        (capture, "paymentIntentCapture"),
        (cancel, "paymentIntentCancel"),
        (refund_cancel, "refundCancel"),
        (refund_again, "refundCreate"),
    ]:
        assert [e["code"] for e in payload(body, name)["userErrors"]] == [
            "INVALID_STATE"
        ], name


@pytest.mark.parametrize(
    ("document", "input", "field", "message"),
    [
        (INTENT_CREATE, {"amount": usd("0.49")}, "amount", "at least 0.50"),
        (
            INTENT_CREATE,
            {"amount": {"decimal": "49", "currency": "jpy"}},
            "amount",
            "at least 50",
        ),
        (
            INTENT_CREATE,
            {"amount": {"decimal": "500.5", "currency": "JPY"}},
            "amount",
            "JPY amounts take whole units",
        ),
        (
            INTENT_CREATE,
            {"amount": {"decimal": "35.205", "currency": "bhd"}},
            "amount",
            "must end in 0",
        ),
        (
            INTENT_CREATE,
            {"amount": usd("20.00"), "confirm": True},
            "paymentMethod",
            "needs a paymentMethod",
        ),
        (
            INTENT_UPDATE,
            {"id": "pi_any", "amount": {"decimal": "0.29", "currency": "gbp"}},
            "amount",
            "at least 0.30",
        ),
        (
            INTENT_CAPTURE,
            {"id": "pi_any", "amountToCapture": {"decimal": "1.5", "currency": "jpy"}},
            "amountToCapture",
            "whole units",
        ),
        (
            REFUND_CREATE,
            {"charge": "ch_any", "paymentIntent": "pi_any"},
            "paymentIntent",
            "not both",
        ),
        (REFUND_CREATE, {"reason": "DUPLICATE"}, "charge", "Give the charge"),
        (
            REFUND_CREATE,
            {"charge": "ch_any", "amount": usd("1.001")},
            "amount",
            "2 decimal places",
        ),
        (
            INTENT_CREATE,
            {"amount": usd("20.00"), "metadata": {"k" * 41: "v"}},
            "metadata",
            "1 to 40 characters",
        ),
    ],
)
def test_input_is_checked_before_any_call(
    graphql: GraphQL,
    sandbox: SandboxProcess,
    document: str,
    input: dict[str, Any],
    field: str,
    message: str,
) -> None:
    sandbox.reset_requests()

    body = graphql(document, input=input)

    [result] = body["data"].values()
    [error] = result["userErrors"]
    assert error["field"] == field
    assert message in error["message"]
    assert sandbox.requests() == []


def test_an_amount_in_another_currency_is_refused_without_a_write(
    graphql: GraphQL, sandbox: SandboxProcess
) -> None:
    charge = paid_intent(graphql)["latestCharge"]["id"]
    sandbox.reset_requests()

    body = graphql(
        REFUND_CREATE,
        input={"charge": charge, "amount": {"decimal": "5.00", "currency": "eur"}},
    )

    [error] = payload(body, "refundCreate")["userErrors"]
    assert error == {
        "field": "amount",
        "code": "INVALID",
        "message": f"{charge} is in USD, not EUR.",
    }
    assert writes(sandbox) == []


def test_a_replayed_create_returns_the_same_intent_and_makes_one(
    graphql: GraphQL, sandbox: SandboxProcess
) -> None:
    email = f"{uuid.uuid4().hex[:8]}@example.com"
    customer = httpx.post(
        f"{sandbox.url}/v1/customers", auth=(SANDBOX_KEY, ""), data={"email": email}
    ).json()["id"]
    input = {
        "amount": usd("20.00"),
        "customer": customer,
        "paymentMethod": "pm_card_visa",
        "confirm": True,
        "idempotencyKey": uuid.uuid4().hex,
    }

    first = graphql(INTENT_CREATE, input=input)
    again = graphql(INTENT_CREATE, input=input)
    made = httpx.get(
        f"{sandbox.url}/v1/payment_intents",
        params={"customer": customer},
        auth=(SANDBOX_KEY, ""),
    ).json()["data"]

    assert first["data"] == again["data"]
    assert [intent["id"] for intent in made] == [
        first["data"]["paymentIntentCreate"]["paymentIntent"]["id"]
    ]


def test_a_key_reused_with_another_amount_is_a_conflict(graphql: GraphQL) -> None:
    key = uuid.uuid4().hex
    create_intent(graphql, idempotencyKey=key)

    body = graphql(INTENT_CREATE, input={"amount": usd("21.00"), "idempotencyKey": key})

    result = payload(body, "paymentIntentCreate")
    assert result["paymentIntent"] is None
    assert result["userErrors"] == [
        {
            "field": "idempotencyKey",
            "code": "IDEMPOTENCY_CONFLICT",
            "message": "This idempotency key was used with different input; "
            "use a new key.",
        }
    ]


def test_a_missing_intent_is_a_user_error(graphql: GraphQL) -> None:
    body = graphql(INTENT_CONFIRM, input={"id": "pi_doesnotexist"})

    result = payload(body, "paymentIntentConfirm")
    assert result["paymentIntent"] is None
    assert [(e["field"], e["code"]) for e in result["userErrors"]] == [
        ("id", "RESOURCE_MISSING")
    ]


@pytest.fixture(scope="module")
def reader(sandbox: SandboxProcess) -> Iterator[GraphQL]:
    gateway = start_gateway(
        {
            "STRIPE_API_KEY": SANDBOX_KEY,
            "STRIPE_API_BASE": sandbox.url,
            "GATEWAY_SCOPES": "payment_intents:read charges:read",
        }
    )
    yield graphql_client(gateway.url)
    gateway.stop()


@pytest.mark.parametrize(
    ("document", "input", "scope"),
    [
        (INTENT_CREATE, {"amount": usd("20.00")}, "payment_intents:write"),
        (INTENT_CANCEL, {"id": "pi_any"}, "payment_intents:write"),
        (CHARGE_UPDATE, {"id": "ch_any"}, "charges:write"),
        (REFUND_CREATE, {"charge": "ch_any"}, "charges:write"),
        (REFUND_CANCEL, {"id": "re_any"}, "charges:write"),
    ],
)
def test_each_mutation_needs_its_write_scope(
    reader: GraphQL,
    sandbox: SandboxProcess,
    document: str,
    input: dict[str, Any],
    scope: str,
) -> None:
    sandbox.reset_requests()

    body = reader(document, input=input)

    [error] = body["errors"]
    assert error["extensions"] == {"code": "FORBIDDEN", "requiredScope": scope}
    assert sandbox.requests() == []


def test_the_estimate_bounds_a_decline_and_its_reread(graphql: GraphQL) -> None:
    body = graphql(
        """
        mutation {
          paymentIntentCreate(input: {amount: {decimal: "20.00", currency: "usd"},
              paymentMethod: "pm_card_visa_chargeDeclined", confirm: true}) {
            paymentIntent { status }
            userErrors { code }
          }
        }
        """
    )

    assert (
        body["data"]["paymentIntentCreate"]["userErrors"][0]["code"] == "CARD_DECLINED"
    )
    cost = body["extensions"]["cost"]
    assert cost["stripeCalls"] <= cost["estimatedCalls"]
