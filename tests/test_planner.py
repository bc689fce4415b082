"""The planner, proven by counting Stripe calls in the sandbox's request log."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import parse_qsl

import pytest

from tests.conftest import SANDBOX_KEY
from tests.sandbox_server import SandboxProcess
from tests.servers import GraphQL, graphql_client, start_gateway

CUSTOMERS_TREE = """
{ customers(first: 20) { nodes { id subscriptions { nodes { id items { nodes {
  quantity price { id unitAmount { amount } product { id name } } } } } } } } }
"""

# Each line's price counts as a retrieve in the estimate, an upper bound, so
# twenty invoices of ten lines would be over the default budget of 50 calls.
INVOICES_TREE = """
{ invoices(first: 4) { nodes { id customer { id email }
  lines { nodes { id price { id product { id name } } } } } } }
"""

PAYMENTS_TREE = """
{ paymentIntents(first: 20) { nodes { id latestCharge { id
  refunds { nodes { id amount { amount } } } } } } }
"""

PRODUCTS_TREE = "{ products(first: 20) { nodes { id prices { nodes { id } } } } }"

ONE_CUSTOMER = """
query ($id: ID!) { customer(id: $id) { id email
  subscriptions { nodes { items { nodes { price { product { name } } } } } }
  invoices { nodes { id lines { nodes { id } } } }
  charges { nodes { id refunds { nodes { id } } } }
  paymentIntents { nodes { id latestCharge { id } } } } }
"""


def paths(sandbox: SandboxProcess) -> list[str]:
    return [r["path"] for r in sandbox.requests()]


def expansions(sandbox: SandboxProcess) -> list[str]:
    return [
        value
        for request in sandbox.requests()
        for key, value in parse_qsl(request["query"])
        if key.startswith("expand")
    ]


def test_customers_with_subscriptions_to_products_cost_two_calls(
    graphql: GraphQL, sandbox: SandboxProcess
) -> None:
    sandbox.reset_requests()

    body = graphql(CUSTOMERS_TREE)

    assert "errors" not in body
    assert paths(sandbox) == ["/v1/customers", "/v1/products"]
    assert expansions(sandbox) == ["data.subscriptions"]
    assert body["extensions"]["cost"]["stripeCalls"] == 2


def test_invoices_embed_customers_and_fetch_each_price_once(
    graphql: GraphQL, sandbox: SandboxProcess
) -> None:
    sandbox.reset_requests()

    body = graphql(INVOICES_TREE)

    assert "errors" not in body
    prices = {
        line["price"]["id"]
        for invoice in body["data"]["invoices"]["nodes"]
        for line in invoice["lines"]["nodes"]
    }
    assert sorted(paths(sandbox)) == sorted(
        ["/v1/invoices"] + [f"/v1/prices/{price}" for price in prices]
    )
    assert set(expansions(sandbox)) == {"data.customer", "product"}


def test_payments_charges_and_refunds_cost_one_call(
    graphql: GraphQL, sandbox: SandboxProcess
) -> None:
    sandbox.reset_requests()

    body = graphql(PAYMENTS_TREE)

    assert "errors" not in body
    assert paths(sandbox) == ["/v1/payment_intents"]
    assert expansions(sandbox) == ["data.latest_charge.refunds"]


def test_prices_of_each_product_are_one_list_each(
    graphql: GraphQL, sandbox: SandboxProcess
) -> None:
    sandbox.reset_requests()

    body = graphql(PRODUCTS_TREE)

    products = body["data"]["products"]["nodes"]
    assert paths(sandbox) == ["/v1/products"] + ["/v1/prices"] * len(products)


def test_one_customer_with_everything_costs_five_calls(
    graphql: GraphQL, sandbox: SandboxProcess
) -> None:
    customer = graphql("{ subscriptions(first: 1) { nodes { customer { id } } } }")[
        "data"
    ]["subscriptions"]["nodes"][0]["customer"]["id"]
    sandbox.reset_requests()

    body = graphql(ONE_CUSTOMER, id=customer)

    assert "errors" not in body
    assert sorted(paths(sandbox)) == sorted(
        [
            f"/v1/customers/{customer}",
            "/v1/invoices",
            "/v1/charges",
            "/v1/payment_intents",
            "/v1/products",
        ]
    )


def test_no_expand_path_is_deeper_than_four_levels(
    graphql: GraphQL, sandbox: SandboxProcess
) -> None:
    sandbox.reset_requests()
    deep = (
        "{ paymentIntents(first: 1) { nodes { latestCharge { refunds { nodes { "
        "charge { customer { id } paymentIntent { customer { id } } } } } } } } }"
    )

    for document in (CUSTOMERS_TREE, INVOICES_TREE, PAYMENTS_TREE, deep):
        assert "errors" not in graphql(document)

    assert expansions(sandbox)
    assert all(len(path.split(".")) <= 4 for path in expansions(sandbox))


def test_cost_is_reported_in_extensions(graphql: GraphQL) -> None:
    cost = graphql(PAYMENTS_TREE)["extensions"]["cost"]

    assert cost["estimatedCalls"] == 1
    assert cost["stripeCalls"] == 1
    assert cost["stripeWaitMs"] > 0


def test_an_over_budget_query_makes_no_call(
    graphql: GraphQL, sandbox: SandboxProcess
) -> None:
    sandbox.reset_requests()

    body = graphql("{ customers(first: 100) { nodes { invoices { nodes { id } } } } }")

    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"] == {
        "code": "QUERY_TOO_EXPENSIVE",
        "estimatedCalls": 101,
        "budget": 50,
    }
    assert sandbox.request_count() == 0


@pytest.mark.parametrize(
    "document",
    [
        "{ " + " ".join(f"a{n}: viewer {{ tenant }}" for n in range(1000)) + " }",
        "{ "
        + " ".join(f"a{n}: customers {{ nodes {{ id }} }}" for n in range(40))
        + " }",
        "fragment A on Customer { id ...B } fragment B on Customer { email ...A } "
        "{ customers { nodes { ...A } } }",
    ],
    ids=["alias bomb", "too many aliases", "fragment cycle"],
)
def test_hostile_documents_are_refused_without_a_call(
    graphql: GraphQL, sandbox: SandboxProcess, document: str
) -> None:
    sandbox.reset_requests()

    body = graphql(document)

    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"].startswith("GRAPHQL_")
    assert sandbox.request_count() == 0


@pytest.fixture(scope="module")
def unplanned(sandbox: SandboxProcess) -> Iterator[GraphQL]:
    gateway = start_gateway(
        {
            "STRIPE_API_KEY": SANDBOX_KEY,
            "STRIPE_API_BASE": sandbox.url,
            "GATEWAY_PLANNER": "off",
            "GATEWAY_MAX_STRIPE_CALLS": "5000",
        }
    )
    yield graphql_client(gateway.url)
    gateway.stop()


def test_planning_saves_tenfold_on_nested_customers(
    graphql: GraphQL, unplanned: GraphQL, sandbox: SandboxProcess
) -> None:
    sandbox.reset_requests()
    planned = graphql(CUSTOMERS_TREE)
    with_planning = sandbox.request_count()
    sandbox.reset_requests()
    naive = unplanned(CUSTOMERS_TREE)

    assert json.dumps(naive["data"]) == json.dumps(planned["data"])
    assert sandbox.request_count() >= 10 * with_planning


@pytest.fixture(scope="module")
def without_customers(sandbox: SandboxProcess) -> Iterator[GraphQL]:
    gateway = start_gateway(
        {
            "STRIPE_API_KEY": SANDBOX_KEY,
            "STRIPE_API_BASE": sandbox.url,
            "GATEWAY_SCOPES": "invoices:read",
        }
    )
    yield graphql_client(gateway.url)
    gateway.stop()


def test_a_denied_relation_is_never_expanded(
    without_customers: GraphQL, sandbox: SandboxProcess
) -> None:
    sandbox.reset_requests()

    body = without_customers("{ invoices(first: 3) { nodes { id customer { id } } } }")

    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert paths(sandbox) == ["/v1/invoices"]
    assert expansions(sandbox) == []


@pytest.mark.parametrize(
    "document",
    [
        CUSTOMERS_TREE,
        INVOICES_TREE,
        PAYMENTS_TREE,
        PRODUCTS_TREE,
        "{ invoices(first: 10) { nodes { paymentIntent { latestCharge { id } } "
        "subscription { customer { id } latestInvoice { id } } } } }",
        "{ charges(first: 10) { nodes { customer { id } paymentIntent { id } "
        "refunds { nodes { charge { id } paymentIntent { id } } } } } }",
    ],
)
def test_the_estimate_bounds_the_calls_made(graphql: GraphQL, document: str) -> None:
    cost = graphql(document)["extensions"]["cost"]

    assert 0 < cost["stripeCalls"] <= cost["estimatedCalls"]


def test_a_cursor_into_embedded_lists_counts_a_call_each(
    graphql: GraphQL, sandbox: SandboxProcess
) -> None:
    sandbox.reset_requests()

    body = graphql(
        '{ invoices(first: 100) { nodes { lines(after: "il_x", first: 1) '
        "{ nodes { id } } } } }"
    )

    assert body["errors"][0]["extensions"]["estimatedCalls"] == 101
    assert sandbox.request_count() == 0


def test_the_same_page_asked_twice_is_fetched_once(
    graphql: GraphQL, sandbox: SandboxProcess
) -> None:
    sandbox.reset_requests()

    body = graphql(
        "{ a: customers(first: 30) { nodes { id } } "
        "b: customers(first: 30) { nodes { email } } }"
    )

    assert len(body["data"]["a"]["nodes"]) == len(body["data"]["b"]["nodes"])
    assert paths(sandbox) == ["/v1/customers"]
