"""Restricted-key permissions: the seven resource types of Stripe's Dashboard,
each granted none, read or write, and what each /v1 call needs of them.

A call needs read (GET) or write (POST, DELETE) of the resource type of the
objects its path serves, and read of every object type an `expand[]` path
reaches. Each need is named with Stripe's `rak_<slug>_<level>` permission,
which the 403 message quotes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .auth import mask
from .endpoints import Endpoint
from .errors import PermissionDenied

RESOURCES = (
    "customers",
    "charges",
    "payment_intents",
    "products",
    "prices",
    "invoices",
    "subscriptions",
)
LEVELS = ("none", "read", "write")
SPEC: dict[str, Any] = {resource: LEVELS for resource in RESOURCES}


@dataclass(frozen=True)
class Scope:
    """The resource type an object type belongs to, and its `rak_` slug."""

    resource: str
    slug: str


# Object type -> scope. Several object types share a resource type's row in
# the Dashboard but keep their own `rak_` name in Stripe's messages.
SCOPES: dict[str, Scope] = {
    "customer": Scope("customers", "customer"),
    "charge": Scope("charges", "charge"),
    "refund": Scope("charges", "refund"),
    "payment_intent": Scope("payment_intents", "payment_intent"),
    "product": Scope("products", "product"),
    "price": Scope("prices", "plan"),
    "plan": Scope("prices", "plan"),
    "invoice": Scope("invoices", "invoice"),
    "line_item": Scope("invoices", "invoice"),
    "invoice_payment": Scope("invoices", "invoice"),
    "invoiceitem": Scope("invoices", "invoice_item"),
    "subscription": Scope("subscriptions", "subscription"),
    "subscription_item": Scope("subscriptions", "subscription"),
}

# First path segment after /v1 -> the object type that collection serves.
_COLLECTIONS = {
    "customers": "customer",
    "charges": "charge",
    "refunds": "refund",
    "payment_intents": "payment_intent",
    "products": "product",
    "prices": "price",
    "invoices": "invoice",
    "invoiceitems": "invoiceitem",
    "invoice_payments": "invoice_payment",
    "subscriptions": "subscription",
    "subscription_items": "subscription_item",
}


@dataclass(frozen=True)
class Need:
    scope: Scope
    level: str

    @property
    def name(self) -> str:
        return f"rak_{self.scope.slug}_{self.level}"


@dataclass(frozen=True)
class Permissions:
    """A level for each of the seven resource types; write includes read."""

    levels: dict[str, str]

    @classmethod
    def of(cls, chosen: dict[str, str | None]) -> Permissions:
        """From levels validated against SPEC; unlisted types get none."""
        return cls({r: chosen.get(r) or "none" for r in RESOURCES})

    def allows(self, need: Need) -> bool:
        granted = LEVELS.index(self.levels[need.scope.resource])
        return granted >= LEVELS.index(need.level)


def endpoint_need(endpoint: Endpoint) -> Need:
    level = "read" if endpoint.method == "GET" else "write"
    return Need(SCOPES[_object_type(endpoint)], level)


def expansion_needs(object_types: list[str]) -> list[Need]:
    """Read of each expanded object type that a restricted key can lack."""
    return [Need(SCOPES[kind], "read") for kind in object_types if kind in SCOPES]


def denied(key: str, account: str, need: Need) -> PermissionDenied:
    # The 401 for a bad key masks with four stars; this message uses nine.
    return PermissionDenied(
        f"The provided key '{mask(key, stars=9)}' does not have the required "
        f"permissions for this endpoint on account '{account}'. Having the "
        f"'{need.name}' permission would allow this request to continue."
    )


def _object_type(endpoint: Endpoint) -> str:
    # Nested lists (a charge's refunds, a customer's subscriptions) serve the
    # listed type, not the parent's.
    if endpoint.kind.startswith("list:"):
        return endpoint.kind[len("list:") :]
    return _COLLECTIONS[endpoint.path.split("/")[2]]
