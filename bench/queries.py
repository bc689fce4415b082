"""The canonical GraphQL documents the benchmark sends, one per planning shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ONE_CUSTOMER = """
query OneCustomer($id: ID!) {
  customer(id: $id) {
    id
    created
    email
    name
    description
    phone
    currency
    balance { amount currency decimal }
    delinquent
    address { line1 line2 city state postalCode country }
    invoicePrefix
    livemode
    metadata
    subscriptions {
      nodes {
        id
        status
        items {
          nodes {
            quantity
            price {
              id
              unitAmount { amount currency decimal }
              product { id name }
            }
          }
        }
      }
    }
    invoices {
      nodes {
        id
        number
        status
        total { amount currency }
        lines { nodes { id amount { amount currency } description } }
      }
    }
    charges {
      nodes {
        id
        status
        amount { amount currency }
        refunds { nodes { id amount { amount } status } }
      }
    }
    paymentIntents {
      nodes {
        id
        status
        amount { amount currency }
        latestCharge { id status }
      }
    }
  }
}
"""

CUSTOMERS_SUBSCRIPTIONS = """
{
  customers(first: 20) {
    nodes {
      id
      email
      subscriptions {
        nodes {
          id
          status
          items {
            nodes {
              quantity
              price {
                id
                unitAmount { amount currency decimal }
                product { id name }
              }
            }
          }
        }
      }
    }
  }
}
"""

INVOICES_CUSTOMER_LINES = """
{
  invoices(first: 20) {
    nodes {
      id
      total { amount currency }
      customer { id email }
      lines {
        nodes {
          id
          amount { amount }
          price { id product { id name } }
        }
      }
    }
  }
}
"""

PAYMENTS_CHARGES_REFUNDS = """
{
  paymentIntents(first: 20) {
    nodes {
      id
      status
      amount { amount currency }
      latestCharge {
        id
        status
        refunds { nodes { id amount { amount } status } }
      }
    }
  }
}
"""

PRODUCTS_PRICES = """
{
  products(first: 20) {
    nodes {
      id
      name
      prices { nodes { id unitAmount { amount currency } type } }
    }
  }
}
"""

SMALL = "{ customers(first: 1) { nodes { id } } }"
"""The query of the overhead measurement: one Stripe call, almost no resolving."""


@dataclass(frozen=True)
class Query:
    """A document with its variables, under the name the report uses."""

    name: str
    document: str
    variables: dict[str, Any] = field(default_factory=dict)


def canonical(customer_id: str) -> list[Query]:
    """The five queries, ``one_customer`` aimed at ``customer_id``."""
    return [
        Query("one_customer", ONE_CUSTOMER, {"id": customer_id}),
        Query("customers_subscriptions", CUSTOMERS_SUBSCRIPTIONS),
        Query("invoices_customer_lines", INVOICES_CUSTOMER_LINES),
        Query("payments_charges_refunds", PAYMENTS_CHARGES_REFUNDS),
        Query("products_prices", PRODUCTS_PRICES),
    ]
