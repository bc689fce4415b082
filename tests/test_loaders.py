"""Dataloaders: an object is fetched from Stripe at most once per request."""

from __future__ import annotations

from tests.sandbox_server import SandboxProcess
from tests.servers import GraphQL


def retrieves(sandbox: SandboxProcess, path_prefix: str) -> list[str]:
    return [r["path"] for r in sandbox.requests() if r["path"].startswith(path_prefix)]


def newest_customer(graphql: GraphQL) -> str:
    body = graphql("{ customers(first: 1) { nodes { id } } }")
    return str(body["data"]["customers"]["nodes"][0]["id"])


def test_one_customer_asked_for_twice_costs_one_call(
    graphql: GraphQL, sandbox: SandboxProcess
) -> None:
    customer = newest_customer(graphql)
    sandbox.reset_requests()

    body = graphql(
        f'{{ a: customer(id: "{customer}") {{ id }} '
        f'b: customer(id: "{customer}") {{ email }} '
        f'c: node(id: "{customer}") {{ id }} }}'
    )

    assert "errors" not in body
    assert sandbox.request_count() == 1


def test_objects_from_a_list_are_not_fetched_again(
    graphql: GraphQL, sandbox: SandboxProcess
) -> None:
    sandbox.reset_requests()

    body = graphql(
        "{ customers(first: 30) { nodes { id "
        "subscriptions(status: ALL) { nodes { customer { id email } } } } } }"
    )

    assert "errors" not in body
    for customer in body["data"]["customers"]["nodes"]:
        for subscription in customer["subscriptions"]["nodes"]:
            assert subscription["customer"]["id"] == customer["id"]
    assert retrieves(sandbox, "/v1/customers/") == []


def test_products_of_many_prices_arrive_in_one_batch(
    graphql: GraphQL, sandbox: SandboxProcess
) -> None:
    sandbox.reset_requests()

    body = graphql(
        "{ subscriptions(first: 20, status: ALL) { nodes { items { nodes "
        "{ price { id product { id name } } } } } } }"
    )

    assert "errors" not in body
    paths = [r["path"] for r in sandbox.requests()]
    assert paths == ["/v1/subscriptions", "/v1/products"]
    assert "ids[" in sandbox.requests()[1]["query"]


def test_node_fetches_a_subscription_item(graphql: GraphQL) -> None:
    body = graphql(
        "{ subscriptions(first: 1) { nodes { items(first: 1) { nodes { id } } } } }"
    )
    item = body["data"]["subscriptions"]["nodes"][0]["items"]["nodes"][0]["id"]

    found = graphql(
        f'{{ node(id: "{item}") {{ id ... on SubscriptionItem {{ quantity }} }} }}'
    )

    assert found["data"]["node"]["id"] == item
