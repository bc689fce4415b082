"""With no key set, ``serve`` runs the embedded sandbox: the ``make run`` path."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.servers import (
    GraphQL,
    ServerProcess,
    free_port,
    graphql_client,
    start_gateway,
    start_server,
)

SUBSCRIPTIONS = """
{
  customers(first: 25) {
    nodes {
      email currency
      subscriptions { nodes { items { nodes { price {
        unitAmount { amount currency decimal } product { name }
      } } } } }
    }
  }
}
"""

INVOICES = """
{
  customers(first: 25) {
    nodes { invoices { nodes { status lines { nodes { amount { decimal } } } } } }
  }
}
"""

REFUNDS = """
{
  paymentIntents(first: 30) {
    nodes { latestCharge { refunds { nodes { amount { currency decimal } } } } }
  }
}
"""


@pytest.fixture(scope="module")
def offline_gateway() -> Iterator[ServerProcess]:
    gateway = start_gateway({})
    yield gateway
    gateway.stop()


def test_serve_without_a_key_says_it_runs_the_sandbox(
    offline_gateway: ServerProcess,
) -> None:
    health = httpx.get(f"{offline_gateway.url}/healthz").json()

    assert health["mode"] == "sandbox"
    assert "embedded Stripe sandbox" in offline_gateway.output()


def test_demo_data_answers_the_nested_reads(offline_gateway: ServerProcess) -> None:
    graphql: GraphQL = graphql_client(offline_gateway.url)

    bodies = [graphql(document) for document in (SUBSCRIPTIONS, INVOICES, REFUNDS)]

    assert all("errors" not in body for body in bodies)
    customers = bodies[0]["data"]["customers"]["nodes"]
    assert len(customers) >= 20
    assert {c["currency"] for c in customers} >= {"usd", "eur", "jpy", "bhd"}
    prices = [
        item["price"]
        for c in customers
        for s in c["subscriptions"]["nodes"]
        for item in s["items"]["nodes"]
    ]
    jpy = [p["unitAmount"] for p in prices if p["unitAmount"]["currency"] == "jpy"]
    bhd = [p["unitAmount"] for p in prices if p["unitAmount"]["currency"] == "bhd"]
    assert jpy and all(m["decimal"] == str(m["amount"]) for m in jpy)
    assert bhd and all(len(m["decimal"].split(".")[1]) == 3 for m in bhd)
    lines = [
        line
        for c in bodies[1]["data"]["customers"]["nodes"]
        for i in c["invoices"]["nodes"]
        for line in i["lines"]["nodes"]
    ]
    assert lines
    refunds = [
        r
        for i in bodies[2]["data"]["paymentIntents"]["nodes"]
        if i["latestCharge"]
        for r in i["latestCharge"]["refunds"]["nodes"]
    ]
    assert len(refunds) >= 2


def test_sandbox_command_serves_stripes_api() -> None:
    port = free_port()
    # The console script installed beside this interpreter, as a user runs it.
    script = str(Path(sys.executable).parent / "stripe-gateway")
    command = [script, "sandbox", "--port", str(port), "--seed", "none"]
    sandbox = start_server(command, port, "/_sandbox/healthz")
    try:
        response = httpx.get(f"{sandbox.url}/v1/customers", auth=("sk_test_anykey", ""))
    finally:
        sandbox.stop()

    assert response.json() == {
        "object": "list",
        "data": [],
        "has_more": False,
        "url": "/v1/customers",
    }
