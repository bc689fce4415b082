"""Writes through the graph: each mutation, its checks, its keys and its scopes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import SANDBOX_KEY
from tests.sandbox_server import SandboxProcess
from tests.servers import GraphQL, graphql_client, start_gateway

CUSTOMER_CREATE = """
mutation ($input: CustomerCreateInput!) {
  customerCreate(input: $input) {
    customer { id email name metadata }
    userErrors { field code message }
  }
}
"""

CUSTOMER_UPDATE = """
mutation ($input: CustomerUpdateInput!) {
  customerUpdate(input: $input) { customer { id name } userErrors { field code } }
}
"""

CUSTOMER_DELETE = """
mutation ($input: CustomerDeleteInput!) {
  customerDelete(input: $input) { deletedId userErrors { field code } }
}
"""

PRODUCT_CREATE = """
mutation ($input: ProductCreateInput!) {
  productCreate(input: $input) {
    product { id name active }
    userErrors { field code message }
  }
}
"""

PRODUCT_CHANGE = """
mutation ($id: ID!) {
  productUpdate(input: {id: $id, name: "Renamed"}) {
    product { name } userErrors { code }
  }
  productArchive(input: {id: $id}) { product { active } userErrors { code } }
}
"""

PRICE_CREATE = """
mutation ($input: PriceCreateInput!) {
  priceCreate(input: $input) {
    price { id type unitAmount { amount currency decimal } recurring { interval }
            lookupKey product { id } }
    userErrors { field code message }
  }
}
"""

PRICE_UPDATE = """
mutation ($input: PriceUpdateInput!) {
  priceUpdate(input: $input) {
    price { nickname active lookupKey } userErrors { field code }
  }
}
"""


def writes(sandbox: SandboxProcess) -> list[str]:
    return [r["path"] for r in sandbox.requests() if r["method"] != "GET"]


def payload(body: dict[str, Any], name: str) -> dict[str, Any]:
    assert "errors" not in body, body.get("errors")
    result: dict[str, Any] = body["data"][name]
    return result


def test_customers_are_created_changed_and_deleted(graphql: GraphQL) -> None:
    email = f"{uuid.uuid4().hex[:8]}@example.com"
    created = payload(
        graphql(CUSTOMER_CREATE, input={"email": email, "metadata": {"tier": "gold"}}),
        "customerCreate",
    )
    customer = created["customer"]["id"]
    updated = payload(
        graphql(CUSTOMER_UPDATE, input={"id": customer, "name": "Grace"}),
        "customerUpdate",
    )
    shown = graphql(f'{{ customer(id: "{customer}") {{ name email metadata }} }}')
    deleted = payload(
        graphql(CUSTOMER_DELETE, input={"id": customer}), "customerDelete"
    )
    gone = graphql(f'{{ customer(id: "{customer}") {{ id }} }}')

    assert created["userErrors"] == []
    assert updated["customer"]["name"] == "Grace"
    assert shown["data"]["customer"] == {
        "name": "Grace",
        "email": email,
        "metadata": {"tier": "gold"},
    }
    assert deleted == {"deletedId": customer, "userErrors": []}
    assert gone["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_products_and_prices_are_created_changed_and_archived(
    graphql: GraphQL,
) -> None:
    product = payload(
        graphql(PRODUCT_CREATE, input={"name": "Widget"}), "productCreate"
    )["product"]
    one_time = payload(
        graphql(
            PRICE_CREATE,
            input={
                "product": product["id"],
                "unitAmount": {"decimal": "35.200", "currency": "BHD"},
            },
        ),
        "priceCreate",
    )["price"]
    monthly = payload(
        graphql(
            PRICE_CREATE,
            input={
                "product": product["id"],
                "unitAmount": {"decimal": "500", "currency": "jpy"},
                "recurring": {"interval": "MONTH"},
                "lookupKey": f"widget-{uuid.uuid4().hex[:6]}",
            },
        ),
        "priceCreate",
    )["price"]
    changed = payload(
        graphql(PRICE_UPDATE, input={"id": monthly["id"], "nickname": "Monthly"}),
        "priceUpdate",
    )
    archived = graphql(PRODUCT_CHANGE, id=product["id"])["data"]

    assert one_time["unitAmount"] == {
        "amount": 35200,
        "currency": "bhd",
        "decimal": "35.200",
    }
    assert one_time["type"] == "ONE_TIME"
    assert monthly["unitAmount"]["amount"] == 500
    assert monthly["recurring"] == {"interval": "MONTH"}
    assert changed["price"]["nickname"] == "Monthly"
    assert archived["productUpdate"]["product"]["name"] == "Renamed"
    assert archived["productArchive"]["product"]["active"] is False


def test_a_product_without_prices_can_be_deleted(graphql: GraphQL) -> None:
    product = payload(
        graphql(PRODUCT_CREATE, input={"name": "Short-lived"}), "productCreate"
    )

    body = graphql(
        "mutation ($id: ID!) { productDelete(input: {id: $id}) { deletedId } }",
        id=product["product"]["id"],
    )

    assert body["data"]["productDelete"]["deletedId"] == product["product"]["id"]


@pytest.mark.parametrize(
    ("money", "message"),
    [
        ({"decimal": "5.5", "currency": "jpy"}, "JPY amounts take whole units."),
        ({"decimal": "1.235", "currency": "bhd"}, "BHD amounts must end in 0"),
        ({"decimal": "5.001", "currency": "usd"}, "USD amounts take 2 decimal places."),
        ({"decimal": "-1", "currency": "usd"}, "USD amounts take 2 decimal places."),
        ({"decimal": "1000000.00", "currency": "usd"}, "at most 8 digits"),
        ({"decimal": "five", "currency": "usd"}, "not a number"),
        ({"decimal": "5", "currency": "dollars"}, "not a currency code"),
    ],
)
def test_money_is_checked_before_any_write(
    graphql: GraphQL, sandbox: SandboxProcess, money: dict[str, str], message: str
) -> None:
    sandbox.reset_requests()

    body = graphql(PRICE_CREATE, input={"product": "prod_any", "unitAmount": money})

    [error] = body["data"]["priceCreate"]["userErrors"]
    assert error["field"] == "unitAmount"
    assert error["code"] == "INVALID"
    assert message in error["message"]
    assert writes(sandbox) == []


@pytest.mark.parametrize(
    ("metadata", "code"),
    [
        ({f"k{n}": "v" for n in range(51)}, "TOO_MANY"),
        ({"k" * 41: "v"}, "INVALID"),
        ({"a[b]": "v"}, "INVALID"),
        ({"k": "v" * 501}, "TOO_LONG"),
        ({"k": {"nested": "object"}}, "INVALID"),
    ],
)
def test_metadata_is_checked_before_any_write(
    graphql: GraphQL, sandbox: SandboxProcess, metadata: dict[str, Any], code: str
) -> None:
    sandbox.reset_requests()

    body = graphql(CUSTOMER_CREATE, input={"metadata": metadata})

    errors = body["data"]["customerCreate"]["userErrors"]
    assert {e["code"] for e in errors} == {code}
    assert {e["field"] for e in errors} == {"metadata"}
    assert writes(sandbox) == []


@pytest.mark.parametrize(
    ("document", "variables", "field"),
    [
        (PRODUCT_CREATE, {"input": {"name": "  "}}, "name"),
        (CUSTOMER_CREATE, {"input": {"idempotencyKey": "k" * 256}}, "idempotencyKey"),
        (
            PRICE_UPDATE,
            {"input": {"id": "price_x", "lookupKey": "k" * 201}},
            "lookupKey",
        ),
    ],
)
def test_other_input_is_checked_before_any_write(
    graphql: GraphQL,
    sandbox: SandboxProcess,
    document: str,
    variables: dict[str, Any],
    field: str,
) -> None:
    sandbox.reset_requests()

    body = graphql(document, **variables)

    [result] = body["data"].values()
    assert [e["field"] for e in result["userErrors"]] == [field]
    assert writes(sandbox) == []


def test_a_missing_enum_value_or_required_field_is_refused_by_the_schema(
    graphql: GraphQL, sandbox: SandboxProcess
) -> None:
    sandbox.reset_requests()

    body = graphql(
        PRICE_CREATE,
        input={
            "product": "prod_x",
            "unitAmount": {"decimal": "5"},
            "recurring": {"interval": "FORTNIGHT"},
        },
    )

    assert body["errors"]
    assert writes(sandbox) == []


def test_a_replayed_create_returns_the_same_customer_and_writes_once(
    graphql: GraphQL, sandbox: SandboxProcess
) -> None:
    email = f"{uuid.uuid4().hex[:8]}@example.com"
    key = uuid.uuid4().hex
    first = graphql(CUSTOMER_CREATE, input={"email": email, "idempotencyKey": key})
    again = graphql(CUSTOMER_CREATE, input={"email": email, "idempotencyKey": key})
    found = httpx.get(
        f"{sandbox.url}/v1/customers", params={"email": email}, auth=(SANDBOX_KEY, "")
    ).json()["data"]

    assert first["data"] == again["data"]
    assert len(found) == 1


def test_a_key_reused_with_other_input_is_a_conflict(graphql: GraphQL) -> None:
    key = uuid.uuid4().hex
    graphql(CUSTOMER_CREATE, input={"email": "one@example.com", "idempotencyKey": key})

    body = graphql(
        CUSTOMER_CREATE, input={"email": "two@example.com", "idempotencyKey": key}
    )

    assert body["data"]["customerCreate"]["customer"] is None
    [error] = body["data"]["customerCreate"]["userErrors"]
    assert error["code"] == "IDEMPOTENCY_CONFLICT"
    assert error["field"] == "idempotencyKey"


def test_a_missing_object_is_a_user_error(graphql: GraphQL) -> None:
    body = graphql(CUSTOMER_UPDATE, input={"id": "cus_doesnotexist", "name": "X"})

    assert body["data"]["customerUpdate"]["userErrors"] == [
        {"field": "id", "code": "RESOURCE_MISSING"}
    ]


def test_the_cost_counts_each_write(graphql: GraphQL) -> None:
    body = graphql(PRODUCT_CREATE, input={"name": "Counted"})

    cost = body["extensions"]["cost"]
    assert cost["stripeCalls"] == 1 <= cost["estimatedCalls"]


@pytest.fixture(scope="module")
def read_only(sandbox: SandboxProcess) -> Iterator[GraphQL]:
    gateway = start_gateway(
        {
            "STRIPE_API_KEY": SANDBOX_KEY,
            "STRIPE_API_BASE": sandbox.url,
            "GATEWAY_SCOPES": "customers:read products:write",
        }
    )
    yield graphql_client(gateway.url)
    gateway.stop()


def test_a_mutation_needs_the_write_scope(
    read_only: GraphQL, sandbox: SandboxProcess
) -> None:
    sandbox.reset_requests()

    body = read_only(CUSTOMER_CREATE, input={"email": "nope@example.com"})

    assert body["data"]["customerCreate"] is None
    [error] = body["errors"]
    assert error["extensions"] == {
        "code": "FORBIDDEN",
        "requiredScope": "customers:write",
    }
    assert sandbox.request_count() == 0


@pytest.fixture(scope="module")
def impatient(sandbox: SandboxProcess) -> Iterator[GraphQL]:
    """A gateway that gives up on Stripe after a second and does not retry."""
    gateway = start_gateway(
        {
            "STRIPE_API_KEY": SANDBOX_KEY,
            "STRIPE_API_BASE": sandbox.url,
            "STRIPE_TIMEOUT": "1",
            "STRIPE_MAX_NETWORK_RETRIES": "0",
        }
    )
    yield graphql_client(gateway.url)
    gateway.stop()


def test_a_retry_after_a_timeout_leaves_exactly_one_object(
    impatient: GraphQL, sandbox: SandboxProcess
) -> None:
    email = f"{uuid.uuid4().hex[:8]}@example.com"
    key = uuid.uuid4().hex
    # Stripe applies the write, then the answer is too slow to arrive.
    sandbox.add_fault("/v1/customers", after_apply_delay_ms=2500, method="POST")

    try:
        lost = impatient(CUSTOMER_CREATE, input={"email": email, "idempotencyKey": key})
    finally:
        sandbox.clear_faults()
    retried = impatient(CUSTOMER_CREATE, input={"email": email, "idempotencyKey": key})
    found = httpx.get(
        f"{sandbox.url}/v1/customers", params={"email": email}, auth=(SANDBOX_KEY, "")
    ).json()["data"]

    assert lost["errors"][0]["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
    assert retried["data"]["customerCreate"]["customer"]["email"] == email
    assert [c["id"] for c in found] == [
        retried["data"]["customerCreate"]["customer"]["id"]
    ]
