"""Prometheus metrics of a running gateway: who may read them, where, and that
they count what happened."""

from __future__ import annotations

import inspect
import secrets
from collections.abc import Iterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from gateway.observability.metrics import OperationNames, outcome
from resolvers.stripe_api import StripeAPI
from tests.observed import ADMIN_TOKEN, gateway_env
from tests.sandbox_server import SandboxProcess
from tests.servers import ServerProcess, free_port, start_gateway

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}

NAMED_QUERY = "query MetricsCustomers { customers(first: 2) { nodes { id } } }"
ANONYMOUS_QUERY = '{ customer(id: "cus_metrics_missing") { id } }'

stripe_calls_observed = pytest.mark.skipif(
    "observer" not in inspect.signature(StripeAPI).parameters,
    reason="the Stripe layer reports no calls to an observer on this branch",
)


@pytest.fixture(scope="module")
def gateway(sandbox: SandboxProcess) -> Iterator[ServerProcess]:
    server = start_gateway(gateway_env(sandbox))
    yield server
    server.stop()


def scrape(server: ServerProcess) -> str:
    response = httpx.get(f"{server.url}/metrics", headers=ADMIN)
    assert response.status_code == 200, response.text
    return response.text


def sample(exposition: str, name: str, **labels: str) -> float:
    """A sample's value, 0 when it has not been recorded yet."""
    for family in text_string_to_metric_families(exposition):
        for found in family.samples:
            if found.name == name and labels.items() <= found.labels.items():
                return found.value
    return 0.0


def query(server: ServerProcess, document: str) -> None:
    response = httpx.post(f"{server.url}/graphql", json={"query": document})
    assert response.status_code == 200


def test_metrics_need_the_admin_token(gateway: ServerProcess) -> None:
    url = f"{gateway.url}/metrics"
    wrong = {"Authorization": "Bearer " + secrets.token_urlsafe(24)}

    assert httpx.get(url).status_code == 401
    assert httpx.get(url, headers=wrong).status_code == 401
    response = httpx.get(url, headers=ADMIN)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "gateway_http_requests_in_flight" in response.text


def test_requests_are_counted_by_operation_and_outcome(gateway: ServerProcess) -> None:
    before = scrape(gateway)

    query(gateway, NAMED_QUERY)
    query(gateway, ANONYMOUS_QUERY)
    after = scrape(gateway)

    total = "gateway_graphql_requests_total"
    named = {"operation": "MetricsCustomers", "outcome": "ok"}
    anonymous = {"operation": "anonymous", "outcome": "NOT_FOUND"}
    assert sample(after, total, **named) == sample(before, total, **named) + 1
    assert sample(after, total, **anonymous) == sample(before, total, **anonymous) + 1
    count = "gateway_graphql_request_duration_seconds_count"
    queries = sample(after, count, operation_type="query")
    assert queries >= sample(before, count, operation_type="query") + 2
    # The scrape itself is in flight while the gauge is read.
    assert sample(after, "gateway_http_requests_in_flight") == 1


def test_a_refused_request_counts_with_its_status(gateway: ServerProcess) -> None:
    before = scrape(gateway)
    token = {"Authorization": "Bearer sgw_" + secrets.token_urlsafe(32)}

    httpx.post(f"{gateway.url}/graphql", json={"query": NAMED_QUERY}, headers=token)

    after = scrape(gateway)
    refused = {"operation": "none", "outcome": "401"}
    total = "gateway_graphql_requests_total"
    assert sample(after, total, **refused) == sample(before, total, **refused) + 1


@stripe_calls_observed
def test_stripe_calls_are_counted_by_resource_and_status(
    gateway: ServerProcess, sandbox: SandboxProcess
) -> None:
    before = scrape(gateway)
    sandbox.reset_requests()

    query(gateway, NAMED_QUERY)
    query(gateway, ANONYMOUS_QUERY)

    after = scrape(gateway)
    made = sandbox.requests()
    calls = "gateway_stripe_calls_total"
    listed = {"resource": "customers", "status": "200"}
    missing = {"resource": "customers", "status": "404"}
    assert sample(after, calls, **listed) - sample(before, calls, **listed) == len(
        [r for r in made if r["path"] == "/v1/customers"]
    )
    assert sample(after, calls, **missing) == sample(before, calls, **missing) + 1
    seconds = "gateway_stripe_call_duration_seconds_count"
    assert sample(after, seconds, resource="customers") > sample(
        before, seconds, resource="customers"
    )
    waits = "gateway_stripe_rate_limit_wait_seconds_count"
    assert sample(after, waits) >= sample(before, waits) + len(made)


def test_without_an_admin_token_there_are_no_metrics_on_the_app(
    sandbox: SandboxProcess,
) -> None:
    env = gateway_env(sandbox)
    del env["GATEWAY_ADMIN_TOKEN"]
    server = start_gateway(env)
    try:
        assert httpx.get(f"{server.url}/metrics", headers=ADMIN).status_code == 404
    finally:
        server.stop()


def test_a_metrics_port_serves_them_apart_and_stops_with_the_gateway(
    sandbox: SandboxProcess,
) -> None:
    port = free_port()
    server = start_gateway(gateway_env(sandbox, GATEWAY_METRICS_PORT=str(port)))
    try:
        query(server, NAMED_QUERY)
        apart = httpx.get(f"http://127.0.0.1:{port}/metrics")
        on_the_app = httpx.get(f"{server.url}/metrics", headers=ADMIN)
    finally:
        server.stop()

    assert apart.status_code == 200
    named = {"operation": "MetricsCustomers", "outcome": "ok"}
    assert sample(apart.text, "gateway_graphql_requests_total", **named) == 1
    assert on_the_app.status_code == 404
    messages = [record["message"] for record in server.log_records()]
    assert "Application shutdown complete." in messages
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/metrics")


def test_operation_names_are_bounded() -> None:
    names = OperationNames(limit=3)

    labels = [names.label(name) for name in ("A", "B", "C", "D", "A")]

    assert labels == ["A", "B", "C", "other", "A"]
    assert names.label(None) == "anonymous"
    assert names.label("not a name") == "other"
    assert names.label("x" * 65) == "other"


def test_outcomes_are_few() -> None:
    assert outcome(200, []) == "ok"
    assert outcome(200, ["NOT_FOUND", "FORBIDDEN"]) == "NOT_FOUND"
    assert outcome(200, ["made up by someone"]) == "other"
    assert outcome(413, []) == "413"
