"""The root mutation: every write, grouped by domain, each needing its write scope."""

from __future__ import annotations

import strawberry

from resolvers.scopes import Access, Resource
from schema.mutations.catalog import CatalogMutations
from schema.mutations.customers import CustomerMutations


@strawberry.type(description="Create and change Stripe objects.")
class Mutation(CustomerMutations, CatalogMutations):
    pass


WRITE_SCOPES = {
    "customer_create": (Resource.CUSTOMERS, Access.WRITE),
    "customer_update": (Resource.CUSTOMERS, Access.WRITE),
    "customer_delete": (Resource.CUSTOMERS, Access.WRITE),
    "product_create": (Resource.PRODUCTS, Access.WRITE),
    "product_update": (Resource.PRODUCTS, Access.WRITE),
    "product_archive": (Resource.PRODUCTS, Access.WRITE),
    "product_delete": (Resource.PRODUCTS, Access.WRITE),
    "price_create": (Resource.PRICES, Access.WRITE),
    "price_update": (Resource.PRICES, Access.WRITE),
}
"""The write scope each mutation needs, by its Python name."""

__all__ = ["WRITE_SCOPES", "Mutation"]
