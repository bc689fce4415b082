"""The read graph against the embedded sandbox, over real HTTP."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx

from schema.money import to_decimal
from tests.conftest import SANDBOX_KEY
from tests.sandbox_server import SandboxProcess
from tests.servers import GraphQL

SUBSCRIPTION_TREE = """
{
  customers(first: 30) {
    nodes {
      id currency
      subscriptions {
        nodes {
          id status currentPeriodStart currentPeriodEnd
          items { nodes { id quantity price {
            id currency type unitAmount { amount currency decimal }
            recurring { interval intervalCount }
            product { id name active }
          } } }
        }
      }
    }
  }
}
"""

INVOICE_TREE = """
{
  customers(first: 30) {
    nodes {
      id
      invoices {
        nodes {
          id status number currency
          total { amount currency decimal }
          customer { id }
          lines { nodes { id amount { amount currency decimal } description } }
        }
      }
    }
  }
}
"""

INVOICE_PAYMENTS = """
{
  invoices(first: 15) {
    nodes { id status subscription { id } paymentIntent { id status } }
  }
}
"""

PAYMENT_TREE = """
{
  paymentIntents(first: 50) {
    nodes {
      id status amount { amount currency decimal }
      latestCharge {
        id status refunded
        amount { amount } amountRefunded { amount }
        refunds { nodes { id status amount { amount currency decimal } } }
      }
    }
  }
}
"""

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")


def all_money(value: object) -> list[dict[str, object]]:
    """Every Money object anywhere in a response."""
    if isinstance(value, dict):
        found = [value] if {"amount", "currency", "decimal"} <= value.keys() else []
        return found + [m for v in value.values() for m in all_money(v)]
    if isinstance(value, list):
        return [m for v in value for m in all_money(v)]
    return []


def test_customers_subscriptions_items_price_product(graphql: GraphQL) -> None:
    body = graphql(SUBSCRIPTION_TREE)

    assert "errors" not in body
    subscriptions = [
        s
        for c in body["data"]["customers"]["nodes"]
        for s in c["subscriptions"]["nodes"]
    ]
    assert len({s["status"] for s in subscriptions}) >= 3
    prices = [i["price"] for s in subscriptions for i in s["items"]["nodes"]]
    assert prices and all(p["product"]["name"] for p in prices)
    assert {p["currency"] for p in prices} >= {"usd", "jpy", "bhd"}


def test_customers_invoices_lines(graphql: GraphQL) -> None:
    body = graphql(INVOICE_TREE)

    assert "errors" not in body
    customers = body["data"]["customers"]["nodes"]
    invoices = [i for c in customers for i in c["invoices"]["nodes"]]
    assert {"PAID", "OPEN", "VOID"} <= {i["status"] for i in invoices}
    for customer in customers:
        for invoice in customer["invoices"]["nodes"]:
            assert invoice["customer"]["id"] == customer["id"]
            lines = invoice["lines"]["nodes"]
            assert lines
            assert {line["amount"]["currency"] for line in lines} == {
                invoice["currency"]
            }


def test_invoices_reach_their_payment_intent_through_payments(
    graphql: GraphQL,
) -> None:
    body = graphql(INVOICE_PAYMENTS)

    assert "errors" not in body
    invoices = body["data"]["invoices"]["nodes"]
    expected = {"PAID": "SUCCEEDED", "VOID": "CANCELED"}
    paid_through = [(i["status"], i["paymentIntent"]) for i in invoices]
    assert any(intent for _, intent in paid_through)
    for status, intent in paid_through:
        if intent and status in expected:
            assert intent["status"] == expected[status]
        if status == "DRAFT":
            assert intent is None
    assert any(i["subscription"] for i in invoices)


def test_payment_intents_latest_charge_refunds(graphql: GraphQL) -> None:
    body = graphql(PAYMENT_TREE)

    assert "errors" not in body
    intents = body["data"]["paymentIntents"]["nodes"]
    assert {"SUCCEEDED", "REQUIRES_PAYMENT_METHOD"} <= {i["status"] for i in intents}
    charges = [i["latestCharge"] for i in intents if i["latestCharge"]]
    assert "FAILED" in {c["status"] for c in charges}
    refunded = [c for c in charges if c["refunds"]["nodes"]]
    full = [c for c in refunded if c["refunded"]]
    partial = [c for c in refunded if not c["refunded"]]
    assert full and full[0]["amountRefunded"] == full[0]["amount"]
    assert partial
    assert 0 < partial[0]["amountRefunded"]["amount"] < partial[0]["amount"]["amount"]


def test_money_is_exact_in_each_currencys_minor_unit(graphql: GraphQL) -> None:
    money = all_money(graphql(SUBSCRIPTION_TREE)) + all_money(graphql(PAYMENT_TREE))

    for value in money:
        assert value["decimal"] == to_decimal(value["amount"], value["currency"])
    by_currency = {m["currency"]: m["decimal"] for m in money}
    assert re.fullmatch(r"\d+", by_currency["jpy"])
    assert re.fullmatch(r"\d+\.\d{3}", by_currency["bhd"])
    assert re.fullmatch(r"\d+\.\d{2}", by_currency["usd"])


def test_timestamps_are_iso_8601_utc_of_stripes_seconds(
    graphql: GraphQL, sandbox: SandboxProcess
) -> None:
    body = graphql("{ customers(first: 1) { nodes { id created } } }")
    [customer] = body["data"]["customers"]["nodes"]
    upstream = httpx.get(
        f"{sandbox.url}/v1/customers/{customer['id']}",
        headers={"Authorization": f"Bearer {SANDBOX_KEY}"},
    ).json()

    assert ISO_UTC.match(customer["created"])
    created = datetime.fromisoformat(customer["created"])
    assert created == datetime.fromtimestamp(upstream["created"], tz=UTC)
