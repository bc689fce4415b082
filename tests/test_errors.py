"""Errors carry stable codes, and nothing secret reaches the caller."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.sandbox_server import SandboxProcess
from tests.servers import GraphQL, ServerProcess, graphql_client, start_gateway

LIVE_KEY = "sk_live_notacceptedbythesandbox1234"


def test_missing_object_is_null_with_one_not_found_error(graphql: GraphQL) -> None:
    body = graphql(
        '{ missing: customer(id: "cus_doesnotexist") { id email } '
        "present: customers(first: 1) { nodes { id } } }"
    )

    assert body["data"]["missing"] is None
    assert len(body["data"]["present"]["nodes"]) == 1
    [error] = body["errors"]
    assert error["path"] == ["missing"]
    assert error["extensions"]["code"] == "NOT_FOUND"


def test_node_rejects_an_id_of_no_known_type(graphql: GraphQL) -> None:
    body = graphql('{ node(id: "txn_123") { id } }')

    assert body["data"]["node"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_unknown_cursor_is_reported_not_masked(graphql: GraphQL) -> None:
    body = graphql('{ customers(after: "cus_nosuchcursor") { nodes { id } } }')

    assert body["errors"][0]["extensions"]["code"] in {"NOT_FOUND", "BAD_USER_INPUT"}


@pytest.fixture(scope="module")
def gateway_with_a_refused_key(sandbox: SandboxProcess) -> Iterator[ServerProcess]:
    gateway = start_gateway(
        {
            "STRIPE_API_KEY": LIVE_KEY,
            "STRIPE_API_BASE": sandbox.url,
            "STRIPE_ACCOUNT": "acct_1SecretAccount",
        }
    )
    yield gateway
    gateway.stop()


def test_refused_key_is_unauthenticated_and_never_shown(
    gateway_with_a_refused_key: ServerProcess,
) -> None:
    graphql = graphql_client(gateway_with_a_refused_key.url)

    body = graphql('{ customers { nodes { id } } customer(id: "cus_x") { id } }')

    assert {e["extensions"]["code"] for e in body["errors"]} == {"UNAUTHENTICATED"}
    exposed = str(body) + gateway_with_a_refused_key.output()
    assert "1234" not in exposed
    assert "sk_live" not in exposed
    assert "acct_1SecretAccount" not in exposed
