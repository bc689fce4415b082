"""Relay pages over Stripe's cursors, in both directions."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import stripe

from tests.conftest import SANDBOX_KEY
from tests.sandbox_server import SandboxProcess, start_sandbox
from tests.servers import GraphQL, graphql_client, start_gateway

PAGE = """
query ($first: Int, $after: String, $last: Int, $before: String) {
  customers(first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { id } }
    nodes { id }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""


def ids(body: dict) -> list[str]:
    return [node["id"] for node in body["data"]["customers"]["nodes"]]


def test_forward_pages_continue_where_the_last_ended(graphql: GraphQL) -> None:
    everything = ids(graphql(PAGE, first=10))
    first = graphql(PAGE, first=5)
    info = first["data"]["customers"]["pageInfo"]
    second = graphql(PAGE, first=5, after=info["endCursor"])

    assert ids(first) + ids(second) == everything
    assert info == {
        "hasNextPage": True,
        "hasPreviousPage": False,
        "startCursor": everything[0],
        "endCursor": everything[4],
    }
    assert second["data"]["customers"]["pageInfo"]["hasPreviousPage"] is True


def test_backward_page_keeps_newest_first_order(graphql: GraphQL) -> None:
    everything = ids(graphql(PAGE, first=10))
    body = graphql(PAGE, last=4, before=everything[9])

    assert ids(body) == everything[5:9]
    edges = body["data"]["customers"]["edges"]
    assert [e["cursor"] for e in edges] == everything[5:9]
    info = body["data"]["customers"]["pageInfo"]
    assert info["hasPreviousPage"] is True
    assert info["hasNextPage"] is True


def test_backward_to_the_start_has_no_previous_page(graphql: GraphQL) -> None:
    everything = ids(graphql(PAGE, first=10))
    body = graphql(PAGE, last=10, before=everything[3])

    assert ids(body) == everything[:3]
    assert body["data"]["customers"]["pageInfo"]["hasPreviousPage"] is False


def test_filters_reach_stripe(graphql: GraphQL, sandbox: SandboxProcess) -> None:
    email = "ada.lovelace@example.com"  # one of the demo seed's customers
    sandbox.reset_requests()

    body = graphql(
        "query ($email: String) { customers(email: $email) { nodes { email } } }",
        email=email,
    )

    assert body["data"]["customers"]["nodes"] == [{"email": email}]
    assert "email=ada.lovelace" in sandbox.requests()[0]["query"]


def test_created_bounds_keep_objects_of_the_same_second(graphql: GraphQL) -> None:
    body = graphql("{ customers(first: 1) { nodes { id created } } }")
    [newest] = body["data"]["customers"]["nodes"]
    instant = newest["created"].replace("+00:00", ".5+00:00")

    within = graphql(
        "query ($t: DateTime) { customers(createdBefore: $t, first: 1) "
        "{ nodes { id } } }",
        t=instant,
    )

    assert ids(within) == [newest["id"]]


def test_an_empty_page_of_an_embedded_list_has_no_next_page(graphql: GraphQL) -> None:
    body = graphql(
        "{ subscriptions(first: 1) { nodes { items(first: 0) "
        "{ nodes { id } pageInfo { hasNextPage } } } } }"
    )

    [subscription] = body["data"]["subscriptions"]["nodes"]
    assert subscription["items"] == {"nodes": [], "pageInfo": {"hasNextPage": False}}


@pytest.mark.parametrize(
    "variables",
    [
        {"first": 2, "last": 2, "before": "cus_x"},
        {"last": 2},
        {"first": -1},
        {"first": 5000},
        {"after": "cus_a", "before": "cus_b", "last": 1},
    ],
)
def test_impossible_pages_are_bad_user_input(graphql: GraphQL, variables: dict) -> None:
    body = graphql(PAGE, **variables)

    assert body["data"]["customers"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.fixture(scope="module")
def many_products() -> Iterator[tuple[SandboxProcess, GraphQL]]:
    sandbox = start_sandbox(seed="none")
    client = stripe.StripeClient(SANDBOX_KEY, base_addresses={"api": sandbox.url})
    for number in range(130):
        client.v1.products.create({"name": f"Product {number}"})
    gateway = start_gateway(
        {"STRIPE_API_KEY": SANDBOX_KEY, "STRIPE_API_BASE": sandbox.url}
    )
    yield sandbox, graphql_client(gateway.url)
    gateway.stop()
    sandbox.stop()


def test_pages_over_100_are_chained_without_over_fetching(
    many_products: tuple[SandboxProcess, GraphQL],
) -> None:
    sandbox, graphql = many_products
    sandbox.reset_requests()

    body = graphql(
        "{ products(first: 120) { nodes { name } pageInfo { hasNextPage } } }"
    )

    names = [p["name"] for p in body["data"]["products"]["nodes"]]
    assert names == [f"Product {n}" for n in range(129, 9, -1)]
    assert body["data"]["products"]["pageInfo"]["hasNextPage"] is True
    limits = [r["query"] for r in sandbox.requests()]
    assert len(limits) == 2
    assert "limit=100" in limits[0] and "limit=20" in limits[1]
