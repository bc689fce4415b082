"""The gateway keeps each Stripe account under its rate limit: a burst of
queries waits its turn instead of drawing Stripe's 429s."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from resolvers.ratelimit import AccountLimits, limiter_key
from tests.conftest import SANDBOX_KEY
from tests.sandbox_server import SandboxProcess
from tests.servers import GraphQL, graphql_client, start_gateway

STRIPE_PER_SECOND = 10
GATEWAY_PER_SECOND = 8
BURST = 10

# Four Stripe calls a query: the customer, two of its lists, and the products.
CUSTOMER_AND_PRODUCTS = """
query ($id: ID!) {
  customer(id: $id) {
    email
    charges(first: 2) { nodes { id } }
    invoices(first: 2) { nodes { id } }
  }
  products(first: 2) { nodes { id } }
}
"""
CALLS_PER_QUERY = 4

CUSTOMER_BY_EMAIL = """
query ($email: String!) { customers(email: $email) { nodes { id } } }
"""
ADA = "ada.lovelace@example.com"


@pytest.fixture(scope="module")
def paced(sandbox: SandboxProcess) -> Iterator[GraphQL]:
    """A gateway that allows itself fewer calls a second than Stripe does."""
    gateway = start_gateway(
        {
            "STRIPE_API_KEY": SANDBOX_KEY,
            "STRIPE_API_BASE": sandbox.url,
            "STRIPE_RATE_LIMIT_TEST": str(GATEWAY_PER_SECOND),
        }
    )
    yield graphql_client(gateway.url)
    gateway.stop()


@pytest.fixture(scope="module")
def customer(gateway_url: str) -> str:
    """A seeded customer with charges and invoices."""
    found = graphql_client(gateway_url)(CUSTOMER_BY_EMAIL, email=ADA)
    customer_id: str = found["data"]["customers"]["nodes"][0]["id"]
    return customer_id


@pytest.fixture
def stripe_limit(sandbox: SandboxProcess) -> Iterator[None]:
    """Stripe's own per-account limit, switched on in the sandbox."""
    limit = {"per_second": STRIPE_PER_SECOND}
    httpx.post(f"{sandbox.url}/_sandbox/rate_limit", json=limit).raise_for_status()
    sandbox.reset_requests()
    yield
    httpx.delete(f"{sandbox.url}/_sandbox/rate_limit").raise_for_status()


def burst(gateway: GraphQL, customer: str) -> list[dict[str, Any]]:
    with ThreadPoolExecutor(max_workers=BURST) as pool:
        running = [
            pool.submit(gateway, CUSTOMER_AND_PRODUCTS, id=customer)
            for _ in range(BURST)
        ]
        return [query.result() for query in running]


def test_a_burst_under_the_gateways_limit_waits_instead_of_failing(
    paced: GraphQL, sandbox: SandboxProcess, customer: str, stripe_limit: None
) -> None:
    bodies = burst(paced, customer)

    assert [body.get("errors") for body in bodies] == [None] * BURST
    assert all(body["data"]["customer"]["charges"]["nodes"] for body in bodies)
    assert all(body["data"]["products"]["nodes"] for body in bodies)
    assert sandbox.request_count() == BURST * CALLS_PER_QUERY
    waits = [body["extensions"]["cost"]["rateLimitWaitMs"] for body in bodies]
    assert max(waits) > 0


def test_without_the_gateways_limit_stripes_refusals_reach_their_fields(
    graphql: GraphQL, customer: str, stripe_limit: None
) -> None:
    bodies = burst(graphql, customer)

    errors = [error for body in bodies for error in body.get("errors", [])]
    assert errors
    assert {error["extensions"]["code"] for error in errors} == {"RATE_LIMITED"}
    assert all(error["path"] for error in errors)
    assert any(body["data"]["products"] for body in bodies)


def test_each_account_and_mode_has_its_own_limiter_named_without_its_key() -> None:
    limits = AccountLimits(live_per_second=100, test_per_second=25, max_accounts=3)

    by_key = limits.limiter("sk_test_secret123", None)
    connected = limits.limiter("sk_test_secret123", "acct_1Connected")
    live = limits.limiter("sk_live_secret123", "acct_1Connected")

    assert limits.limiter("sk_test_secret123", None) is by_key
    assert len({id(by_key), id(connected), id(live)}) == 3
    assert (by_key.max_rate, live.max_rate) == (25, 100)
    assert "secret123" not in limiter_key("sk_test_secret123", None)


def test_the_least_recently_used_account_is_forgotten_first() -> None:
    limits = AccountLimits(max_accounts=2)
    first = limits.limiter("sk_test_a", None)
    second = limits.limiter("sk_test_b", None)
    limits.limiter("sk_test_a", None)

    limits.limiter("sk_test_c", None)

    assert limits.limiter("sk_test_a", None) is first
    assert limits.limiter("sk_test_b", None) is not second
