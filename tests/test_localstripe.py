"""Conformance: the gateway's nested reads against localstripe, a Stripe emulator
that nobody on this team wrote and that answers in older API shapes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import stripe

from tests.servers import (
    GraphQL,
    ServerProcess,
    graphql_client,
    start_gateway,
    start_localstripe,
)

KEY = "sk_test_localstripeconformance"

SUBSCRIPTIONS = """
query ($email: String) {
  customers(email: $email, first: 1) {
    nodes {
      id email name
      subscriptions {
        nodes {
          id status currentPeriodStart currentPeriodEnd
          customer { id }
          latestInvoice { id status }
          items { nodes { id quantity price {
            id unitAmount { amount currency decimal } type
            recurring { interval intervalCount }
            product { id name }
          } } }
        }
      }
    }
  }
}
"""

INVOICES = """
query ($email: String) {
  customers(email: $email, first: 1) {
    nodes {
      invoices(first: 2) {
        nodes {
          id status total { amount decimal } amountPaid { amount }
          customer { id }
          subscription { id }
          paymentIntent { id status amount { amount } }
          lines(first: 5) { nodes { id amount { amount currency } description quantity
                          periodStart periodEnd price { id product { name } } } }
        }
      }
    }
  }
}
"""

# localstripe cannot filter payment intents by customer, so the list is unfiltered.
PAYMENTS = """
{
  paymentIntents {
    nodes {
      id status amount { amount decimal }
      customer { email }
      latestCharge {
        id status amount { amount } amountRefunded { amount } refunded
        paymentIntent { id }
        refunds { nodes { id amount { amount } status charge { id } } }
      }
    }
  }
}
"""


@dataclass
class Created:
    customer: str
    product: str
    plan: str
    subscription: str
    payment_intent: str
    refund: str
    payment_method: str
    open_invoices: list[str]


@pytest.fixture(scope="module")
def localstripe() -> Iterator[ServerProcess]:
    server = start_localstripe()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def created(localstripe: ServerProcess) -> Created:
    client = stripe.StripeClient(KEY, base_addresses={"api": localstripe.url})
    v1 = client.v1
    customer = v1.customers.create({"email": "ada@example.com", "name": "Ada"})
    card = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030}
    method = v1.payment_methods.create({"type": "card", "card": {**card, "cvc": "123"}})
    v1.payment_methods.attach(method.id, {"customer": customer.id})
    v1.customers.update(
        customer.id, {"invoice_settings": {"default_payment_method": method.id}}
    )
    product = v1.products.create({"name": "Pro plan"})
    plan = v1.plans.create(
        {"product": product.id, "amount": 1500, "currency": "usd", "interval": "month"}
    )
    subscription = v1.subscriptions.create(
        {"customer": customer.id, "items": [{"plan": plan.id}]}
    )
    intent = v1.payment_intents.create(
        {
            "amount": 2000,
            "currency": "usd",
            "customer": customer.id,
            "payment_method": method.id,
            "confirm": True,
        }
    )
    refund = v1.refunds.create({"payment_intent": intent.id, "amount": 500})
    return Created(
        customer.id,
        product.id,
        plan.id,
        subscription.id,
        intent.id,
        refund.id,
        method.id,
        [_open_invoice(v1, plan.id) for _ in range(2)],
    )


def _open_invoice(v1: Any, plan: str) -> str:
    """An open invoice: localstripe makes one from a subscription whose card fails,
    then lets the customer's default card pay it."""
    customer = v1.customers.create({"email": "late@example.com"})
    failing = {"number": "4000000000000341", "exp_month": 12, "exp_year": 2030}
    bad = v1.payment_methods.create({"type": "card", "card": {**failing, "cvc": "123"}})
    v1.payment_methods.attach(bad.id, {"customer": customer.id})
    v1.customers.update(
        customer.id, {"invoice_settings": {"default_payment_method": bad.id}}
    )
    subscription = v1.subscriptions.create(
        {
            "customer": customer.id,
            "items": [{"plan": plan}],
            "enable_incomplete_payments": True,
        }
    )
    card = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030}
    good = v1.payment_methods.create({"type": "card", "card": {**card, "cvc": "123"}})
    v1.payment_methods.attach(good.id, {"customer": customer.id})
    v1.customers.update(
        customer.id, {"invoice_settings": {"default_payment_method": good.id}}
    )
    return str(subscription.latest_invoice)


@pytest.fixture(scope="module")
def graphql(localstripe: ServerProcess, created: Created) -> Iterator[GraphQL]:
    gateway = start_gateway({"STRIPE_API_KEY": KEY, "STRIPE_API_BASE": localstripe.url})
    yield graphql_client(gateway.url)
    gateway.stop()


def test_customer_subscriptions_items_price_product(
    graphql: GraphQL, created: Created
) -> None:
    body = graphql(SUBSCRIPTIONS, email="ada@example.com")

    assert "errors" not in body, body["errors"]
    [customer] = body["data"]["customers"]["nodes"]
    assert customer["id"] == created.customer
    [subscription] = customer["subscriptions"]["nodes"]
    assert subscription["id"] == created.subscription
    assert subscription["status"] == "ACTIVE"
    assert subscription["customer"]["id"] == created.customer
    assert subscription["currentPeriodStart"] < subscription["currentPeriodEnd"]
    [item] = subscription["items"]["nodes"]
    price = item["price"]
    assert price["id"] == created.plan
    assert price["unitAmount"] == {
        "amount": 1500,
        "currency": "usd",
        "decimal": "15.00",
    }
    assert price["type"] == "RECURRING"
    assert price["recurring"] == {"interval": "MONTH", "intervalCount": 1}
    assert price["product"] == {"id": created.product, "name": "Pro plan"}


def test_customer_invoices_lines(graphql: GraphQL, created: Created) -> None:
    body = graphql(INVOICES, email="ada@example.com")

    assert "errors" not in body, body["errors"]
    [customer] = body["data"]["customers"]["nodes"]
    [invoice] = customer["invoices"]["nodes"]
    assert invoice["status"] == "PAID"
    assert invoice["total"] == {"amount": 1500, "decimal": "15.00"}
    assert invoice["customer"]["id"] == created.customer
    assert invoice["subscription"]["id"] == created.subscription
    assert invoice["paymentIntent"]["amount"]["amount"] == 1500
    [line] = invoice["lines"]["nodes"]
    assert line["amount"] == {"amount": 1500, "currency": "usd"}
    assert line["price"] == {"id": created.plan, "product": {"name": "Pro plan"}}
    assert line["periodStart"] < line["periodEnd"]


def test_payment_intents_latest_charge_refunds(
    graphql: GraphQL, created: Created
) -> None:
    body = graphql(PAYMENTS)

    assert "errors" not in body, body["errors"]
    intents = {i["id"]: i for i in body["data"]["paymentIntents"]["nodes"]}
    intent = intents[created.payment_intent]
    assert intent["status"] == "SUCCEEDED"
    assert intent["amount"] == {"amount": 2000, "decimal": "20.00"}
    assert intent["customer"]["email"] == "ada@example.com"
    charge = intent["latestCharge"]
    assert charge["paymentIntent"]["id"] == created.payment_intent
    assert charge["amountRefunded"]["amount"] == 500
    assert charge["refunded"] is False
    [refund] = charge["refunds"]["nodes"]
    assert refund == {
        "id": created.refund,
        "amount": {"amount": 500},
        "status": "SUCCEEDED",
        "charge": {"id": charge["id"]},
    }


WRITES = """
mutation ($email: String!) {
  customerCreate(input: {email: $email, name: "Lin", metadata: {plan: "pro"}}) {
    customer { id email name metadata }
    userErrors { code }
  }
  productCreate(input: {name: "Gadget"}) {
    product { id name active }
    userErrors { code }
  }
}
"""

RENAMES = """
mutation ($product: ID!, $customer: ID!) {
  productUpdate(input: {id: $product, name: "Gizmo"}) { product { name } }
  customerUpdate(input: {id: $customer, name: "Lee"}) { customer { name } }
}
"""


def test_customer_and_product_writes(graphql: GraphQL) -> None:
    body = graphql(WRITES, email="lin@example.com")

    assert "errors" not in body, body["errors"]
    customer = body["data"]["customerCreate"]["customer"]
    assert customer["email"] == "lin@example.com"
    assert customer["metadata"] == {"plan": "pro"}
    product = body["data"]["productCreate"]["product"]
    assert product["name"] == "Gadget"
    renamed = graphql(RENAMES, product=product["id"], customer=customer["id"])
    assert renamed["data"] == {
        "productUpdate": {"product": {"name": "Gizmo"}},
        "customerUpdate": {"customer": {"name": "Lee"}},
    }


PAY_AND_REFUND = """
mutation ($customer: ID, $method: String) {
  paymentIntentCreate(input: {amount: {decimal: "20.00", currency: "usd"},
      customer: $customer, paymentMethod: $method, confirm: true}) {
    paymentIntent { id status }
    userErrors { code message }
  }
}
"""

REFUND = """
mutation ($intent: ID) {
  refundCreate(
    input: {paymentIntent: $intent, amount: {decimal: "5.00", currency: "usd"}}
  ) {
    refund { status amount { amount } }
    userErrors { code message }
  }
}
"""

SUBSCRIBE = """
mutation ($customer: ID!, $plan: ID!) {
  subscriptionCreate(input: {customer: $customer, items: [{price: $plan}]}) {
    subscription { status items { nodes { price { id } } } latestInvoice { status } }
    userErrors { code message }
  }
}
"""

SETTLE = """
mutation ($paid: ID!, $voided: ID!) {
  invoicePay(input: {id: $paid}) { invoice { status } userErrors { code } }
  invoiceVoid(input: {id: $voided}) { invoice { status } userErrors { code } }
}
"""


def test_payment_intent_and_refund_writes(graphql: GraphQL, created: Created) -> None:
    paid = graphql(
        PAY_AND_REFUND, customer=created.customer, method=created.payment_method
    )
    intent = paid["data"]["paymentIntentCreate"]["paymentIntent"]
    refunded = graphql(REFUND, intent=intent["id"])

    assert intent["status"] == "SUCCEEDED"
    assert refunded["data"]["refundCreate"] == {
        "refund": {"status": "SUCCEEDED", "amount": {"amount": 500}},
        "userErrors": [],
    }


def test_subscription_on_a_plan(graphql: GraphQL, created: Created) -> None:
    body = graphql(SUBSCRIBE, customer=created.customer, plan=created.plan)

    subscription = body["data"]["subscriptionCreate"]["subscription"]
    assert subscription["status"] == "ACTIVE"
    assert subscription["items"]["nodes"] == [{"price": {"id": created.plan}}]
    assert subscription["latestInvoice"] == {"status": "PAID"}


def test_invoice_pay_and_void(graphql: GraphQL, created: Created) -> None:
    paid, voided = created.open_invoices

    body = graphql(SETTLE, paid=paid, voided=voided)

    assert body["data"] == {
        "invoicePay": {"invoice": {"status": "PAID"}, "userErrors": []},
        "invoiceVoid": {"invoice": {"status": "VOID"}, "userErrors": []},
    }
