"""The GraphQL schema of the gateway."""

from __future__ import annotations

import logging

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.types import ExecutionContext

from resolvers.errors import GatewayError
from schema.customers import Customer
from schema.invoices import Invoice, InvoiceLineItem
from schema.payments import Charge, PaymentIntent, Refund
from schema.permissions import protect
from schema.products import Price, Product
from schema.query import Query
from schema.subscriptions import Subscription, SubscriptionItem

logger = logging.getLogger(__name__)


def is_unexpected(error: GraphQLError) -> bool:
    """Errors raised inside resolvers that are not the gateway's own."""
    original = error.original_error
    return original is not None and not isinstance(original, GatewayError)


class MaskUnexpectedErrors(MaskErrors):
    """Hides everything but the gateway's own errors behind ``INTERNAL``."""

    def __init__(self) -> None:
        super().__init__(
            should_mask_error=is_unexpected, error_message="Internal error."
        )

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.extensions = {"code": "INTERNAL"}
        return masked


class GatewaySchema(strawberry.Schema):
    def process_errors(
        self,
        errors: list[GraphQLError],
        execution_context: ExecutionContext | None = None,
    ) -> None:
        # Expected errors are the caller's business; only bugs deserve a traceback.
        for error in errors:
            if is_unexpected(error):
                logger.error(
                    "unexpected error at %s", error.path, exc_info=error.original_error
                )
            else:
                logger.debug(
                    "%s at %s", (error.extensions or {}).get("code"), error.path
                )


protect(
    [
        Query,
        Customer,
        Product,
        Price,
        PaymentIntent,
        Charge,
        Refund,
        Invoice,
        InvoiceLineItem,
        Subscription,
        SubscriptionItem,
    ]
)
schema = GatewaySchema(query=Query, extensions=[MaskUnexpectedErrors])

__all__ = ["schema"]
