"""Scopes hold field by field, however a field is reached, before Stripe is called."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import SANDBOX_KEY
from tests.sandbox_server import SandboxProcess
from tests.servers import GraphQL, graphql_client, start_gateway

SCOPES = "customers:read invoices:read subscriptions:read"


@pytest.fixture(scope="module")
def graphql(sandbox: SandboxProcess) -> Iterator[GraphQL]:
    gateway = start_gateway(
        {
            "STRIPE_API_KEY": SANDBOX_KEY,
            "STRIPE_API_BASE": sandbox.url,
            "GATEWAY_SCOPES": SCOPES,
        }
    )
    yield graphql_client(gateway.url)
    gateway.stop()


def first_id(sandbox: SandboxProcess, path: str) -> str:
    response = httpx.get(
        f"{sandbox.url}{path}", params={"limit": 1}, auth=(SANDBOX_KEY, "")
    )
    return str(response.json()["data"][0]["id"])


def denial(body: dict[str, Any], path: list[Any]) -> dict[str, Any]:
    """The one FORBIDDEN error at ``path``."""
    matching = [e for e in body.get("errors", []) if e["path"] == path]
    assert len(matching) == 1, body.get("errors")
    assert matching[0]["extensions"]["code"] == "FORBIDDEN"
    return matching[0]


def test_viewer_reports_the_scopes_held(graphql: GraphQL) -> None:
    body = graphql("{ viewer { tenant scopes } }")

    assert body["data"]["viewer"] == {
        "tenant": "default",
        "scopes": ["customers:read", "invoices:read", "subscriptions:read"],
    }


def test_denied_alias_is_null_and_its_sibling_resolves(
    graphql: GraphQL, sandbox: SandboxProcess
) -> None:
    sandbox.reset_requests()

    body = graphql(
        "{ mine: customers(first: 1) { nodes { id } } "
        "theirs: products(first: 1) { nodes { id } } }"
    )

    assert body["data"]["theirs"] is None
    assert len(body["data"]["mine"]["nodes"]) == 1
    error = denial(body, ["theirs"])
    assert error["extensions"]["requiredScope"] == "products:read"
    assert [r["path"] for r in sandbox.requests()] == ["/v1/customers"]


def test_denial_through_a_fragment(graphql: GraphQL, sandbox: SandboxProcess) -> None:
    sandbox.reset_requests()

    body = graphql(
        "fragment Paid on Customer { id charges { nodes { id } } } "
        "{ customers(first: 2) { nodes { ...Paid } } }"
    )

    nodes = body["data"]["customers"]["nodes"]
    assert [n["charges"] for n in nodes] == [None, None]
    assert all(n["id"].startswith("cus_") for n in nodes)
    for index in range(2):
        error = denial(body, ["customers", "nodes", index, "charges"])
        assert error["extensions"]["requiredScope"] == "charges:read"
    assert not any(r["path"].startswith("/v1/charges") for r in sandbox.requests())


def test_denial_through_an_inline_fragment_on_node(
    graphql: GraphQL, sandbox: SandboxProcess
) -> None:
    customer = first_id(sandbox, "/v1/customers?email=ada.lovelace@example.com")
    sandbox.reset_requests()

    body = graphql(
        f'{{ node(id: "{customer}") {{ id ... on Customer {{ email '
        "paymentIntents { nodes { id } } } } }"
    )

    assert body["data"]["node"]["email"]
    assert body["data"]["node"]["paymentIntents"] is None
    error = denial(body, ["node", "paymentIntents"])
    assert error["extensions"]["requiredScope"] == "payment_intents:read"


def test_node_of_a_denied_type_makes_no_stripe_call(
    graphql: GraphQL, sandbox: SandboxProcess
) -> None:
    price = first_id(sandbox, "/v1/prices")
    sandbox.reset_requests()

    body = graphql(f'{{ node(id: "{price}") {{ id }} }}')

    assert body["data"]["node"] is None
    error = denial(body, ["node"])
    assert error["extensions"]["requiredScope"] == "prices:read"
    assert sandbox.request_count() == 0


def test_denial_of_an_object_stripe_embedded(
    graphql: GraphQL, sandbox: SandboxProcess
) -> None:
    sandbox.reset_requests()

    # Subscription items arrive with their price object inside; it is still denied.
    body = graphql(
        "{ subscriptions(first: 1) { nodes { id items { nodes { quantity "
        "price { id unitAmount { amount } } } } } } }"
    )

    [subscription] = body["data"]["subscriptions"]["nodes"]
    items = subscription["items"]["nodes"]
    assert items and all(item["price"] is None for item in items)
    assert all(item["quantity"] for item in items)
    error = denial(body, ["subscriptions", "nodes", 0, "items", "nodes", 0, "price"])
    assert error["extensions"]["requiredScope"] == "prices:read"
    assert [r["path"] for r in sandbox.requests()] == ["/v1/subscriptions"]


def test_relation_needs_its_targets_scope(
    graphql: GraphQL, sandbox: SandboxProcess
) -> None:
    body = graphql(
        "{ invoices(first: 1) { nodes { id customer { id } paymentIntent { id } } } }"
    )

    [invoice] = body["data"]["invoices"]["nodes"]
    assert invoice["customer"]["id"].startswith("cus_")
    assert invoice["paymentIntent"] is None
    denial(body, ["invoices", "nodes", 0, "paymentIntent"])
