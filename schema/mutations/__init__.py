"""The root mutation: every write, grouped by domain, each needing its write scope."""

from __future__ import annotations

import strawberry

from resolvers.scopes import Access, Resource
from schema.mutations.catalog import CatalogMutations
from schema.mutations.charges import ChargeMutations
from schema.mutations.customers import CustomerMutations
from schema.mutations.invoices import InvoiceMutations
from schema.mutations.payment_intents import PaymentIntentMutations
from schema.mutations.subscriptions import SubscriptionMutations


@strawberry.type(description="Create and change Stripe objects.")
class Mutation(
    CustomerMutations,
    CatalogMutations,
    PaymentIntentMutations,
    ChargeMutations,
    InvoiceMutations,
    SubscriptionMutations,
):
    """Every mutation, each from its domain's module."""


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
    "payment_intent_create": (Resource.PAYMENT_INTENTS, Access.WRITE),
    "payment_intent_update": (Resource.PAYMENT_INTENTS, Access.WRITE),
    "payment_intent_confirm": (Resource.PAYMENT_INTENTS, Access.WRITE),
    "payment_intent_capture": (Resource.PAYMENT_INTENTS, Access.WRITE),
    "payment_intent_cancel": (Resource.PAYMENT_INTENTS, Access.WRITE),
    "charge_update": (Resource.CHARGES, Access.WRITE),
    "charge_capture": (Resource.CHARGES, Access.WRITE),
    "refund_create": (Resource.CHARGES, Access.WRITE),
    "refund_update": (Resource.CHARGES, Access.WRITE),
    "refund_cancel": (Resource.CHARGES, Access.WRITE),
    "invoice_create": (Resource.INVOICES, Access.WRITE),
    "invoice_add_item": (Resource.INVOICES, Access.WRITE),
    "invoice_remove_item": (Resource.INVOICES, Access.WRITE),
    "invoice_update": (Resource.INVOICES, Access.WRITE),
    "invoice_finalize": (Resource.INVOICES, Access.WRITE),
    "invoice_pay": (Resource.INVOICES, Access.WRITE),
    "invoice_send": (Resource.INVOICES, Access.WRITE),
    "invoice_void": (Resource.INVOICES, Access.WRITE),
    "invoice_mark_uncollectible": (Resource.INVOICES, Access.WRITE),
    "invoice_delete": (Resource.INVOICES, Access.WRITE),
    "subscription_create": (Resource.SUBSCRIPTIONS, Access.WRITE),
    "subscription_update": (Resource.SUBSCRIPTIONS, Access.WRITE),
    "subscription_cancel": (Resource.SUBSCRIPTIONS, Access.WRITE),
    "subscription_resume": (Resource.SUBSCRIPTIONS, Access.WRITE),
}
"""The write scope each mutation needs, by its Python name."""

__all__ = ["WRITE_SCOPES", "Mutation"]
