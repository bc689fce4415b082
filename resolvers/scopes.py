"""Scopes: what a tenant's key and a client's token allow, per resource type.

They mirror the seven resource types of a Stripe restricted key, each granted
None, Read or Write; Write includes Read. A scope is written
``<resource>:read`` or ``<resource>:write``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


class Resource(enum.Enum):
    """A resource type of a Stripe restricted key, by its scope name."""

    CUSTOMERS = "customers"
    CHARGES = "charges"
    PAYMENT_INTENTS = "payment_intents"
    PRODUCTS = "products"
    PRICES = "prices"
    INVOICES = "invoices"
    SUBSCRIPTIONS = "subscriptions"


class Access(enum.IntEnum):
    """How much of a resource type is granted; each level includes the ones below."""

    NONE = 0
    READ = 1
    WRITE = 2


RESOURCE_LABELS: Mapping[Resource, tuple[str, str]] = {
    Resource.CUSTOMERS: ("Customers", "Core"),
    Resource.CHARGES: ("Charges and Refunds", "Core"),
    Resource.PAYMENT_INTENTS: ("Payment Intents", "Core"),
    Resource.PRODUCTS: ("Products", "Core"),
    Resource.INVOICES: ("Invoices", "Billing"),
    Resource.PRICES: ("Prices", "Billing"),
    Resource.SUBSCRIPTIONS: ("Subscriptions", "Billing"),
}
"""Each resource type as the Stripe Dashboard names and groups it."""

# Stripe object types by the resource type whose scope guards them.
OBJECT_RESOURCES: Mapping[str, Resource] = {
    "customer": Resource.CUSTOMERS,
    "charge": Resource.CHARGES,
    "refund": Resource.CHARGES,
    "payment_intent": Resource.PAYMENT_INTENTS,
    "product": Resource.PRODUCTS,
    "price": Resource.PRICES,
    "invoice": Resource.INVOICES,
    "line_item": Resource.INVOICES,
    "subscription": Resource.SUBSCRIPTIONS,
    "subscription_item": Resource.SUBSCRIPTIONS,
}

# The cheapest read that needs each resource type's permission.
PROBE_PATHS: Mapping[Resource, str] = {
    Resource.CUSTOMERS: "/v1/customers",
    Resource.CHARGES: "/v1/charges",
    Resource.PAYMENT_INTENTS: "/v1/payment_intents",
    Resource.PRODUCTS: "/v1/products",
    Resource.PRICES: "/v1/prices",
    Resource.INVOICES: "/v1/invoices",
    Resource.SUBSCRIPTIONS: "/v1/subscriptions",
}


class ScopeError(ValueError):
    """A scope string that names no resource type or access level."""


def scope_name(resource: Resource, access: Access) -> str:
    return f"{resource.value}:{access.name.lower()}"


def parse_scope(text: str) -> tuple[Resource, Access]:
    resource_name, _, access_name = text.strip().partition(":")
    try:
        access = Access[access_name.upper()]
        resource = Resource(resource_name)
    except (KeyError, ValueError):
        raise ScopeError(f"unknown scope '{text}'") from None
    if access is Access.NONE:
        raise ScopeError(f"unknown scope '{text}'")
    return resource, access


@dataclass(frozen=True)
class Scopes:
    """A grant of access per resource type; absent types are granted None."""

    levels: Mapping[Resource, Access]

    @classmethod
    def parse(cls, names: Iterable[str]) -> Scopes:
        """Scopes from names such as ``customers:read``; raises ScopeError."""
        levels: dict[Resource, Access] = {}
        for name in names:
            resource, access = parse_scope(name)
            levels[resource] = max(levels.get(resource, Access.NONE), access)
        return cls(levels)

    @classmethod
    def none(cls) -> Scopes:
        return cls({})

    @classmethod
    def everything(cls) -> Scopes:
        return cls({resource: Access.WRITE for resource in Resource})

    def access(self, resource: Resource) -> Access:
        return self.levels.get(resource, Access.NONE)

    def allows(self, resource: Resource, access: Access) -> bool:
        return self.access(resource) >= access

    def intersect(self, other: Scopes) -> Scopes:
        return Scopes(
            {r: min(self.access(r), other.access(r)) for r in Resource}
        ).without_none()

    def without_none(self) -> Scopes:
        return Scopes({r: a for r, a in self.levels.items() if a > Access.NONE})

    def names(self) -> list[str]:
        """Every scope held, reads included, in a stable order."""
        return [
            scope_name(resource, access)
            for resource in Resource
            for access in (Access.READ, Access.WRITE)
            if self.allows(resource, access)
        ]
