"""The GraphQL schema of the gateway."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.types import ExecutionContext

from resolvers.errors import GatewayError
from schema.cost import StripeCallBudget
from schema.customers import Customer
from schema.invoices import Invoice, InvoiceLineItem
from schema.mutations import WRITE_SCOPES, Mutation
from schema.payments import Charge, PaymentIntent, Refund
from schema.permissions import protect
from schema.products import Price, Product
from schema.query import Query
from schema.subscriptions import Subscription, SubscriptionItem

logger = logging.getLogger(__name__)


def is_unexpected(error: GraphQLError) -> bool:
    """Errors raised inside resolvers that are neither the gateway's own nor
    GraphQL's (such as a variable of the wrong type)."""
    original = error.original_error
    expected = (GatewayError, GraphQLError)
    return original is not None and not isinstance(original, expected)


def request_error_code(error: GraphQLError) -> str:
    """Errors in the document or its variables, as Apollo names them."""
    if error.message.startswith("Syntax Error"):
        return "GRAPHQL_PARSE_FAILED"
    if error.message.startswith("Variable '$"):
        return "BAD_USER_INPUT"
    return "GRAPHQL_VALIDATION_FAILED"


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


# graphql-core ends a message with its guesses at what was meant, e.g.
# "Cannot query field 'custmers' on type 'Query'. Did you mean 'customers'?"
# The hint can end a message or sit inside one ("... Did you mean 'x'? Found: ...").
SUGGESTION = re.compile(r" Did you mean [^?]*\?")


class GatewaySchema(strawberry.Schema):
    """Logs errors for operators and gives errors in the document a code.

    With ``hide_suggestions``, messages lose graphql-core's "Did you mean"
    guesses, which would spell out the schema that introspection hides.
    """

    def __init__(
        self, *args: Any, hide_suggestions: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.hide_suggestions = hide_suggestions

    def process_errors(
        self,
        errors: list[GraphQLError],
        execution_context: ExecutionContext | None = None,
    ) -> None:
        # Expected errors are the caller's business; only bugs deserve a traceback.
        for error in errors:
            if not error.extensions and not is_unexpected(error):
                error.extensions = {"code": request_error_code(error)}
            if self.hide_suggestions:
                error.message = SUGGESTION.sub("", error.message)
            if is_unexpected(error):
                logger.error(
                    "unexpected error at %s", error.path, exc_info=error.original_error
                )
            else:
                logger.debug(
                    "%s at %s", (error.extensions or {}).get("code"), error.path
                )


protect([Mutation], writes=WRITE_SCOPES)
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
# Bounds on a document's shape, so one query cannot fan out without end. The
# deepest useful query (customers → subscriptions → items → price → product,
# through connections) is about ten levels.
MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 2000

# Built once: the validation cache keys on the rule classes, and a limiter made
# per request would bring new classes each time.
SHAPE_RULES = [
    *QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
    *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
]

ExtensionFactory = type[SchemaExtension] | Callable[[], SchemaExtension]


def build_schema(
    *, extensions: Sequence[ExtensionFactory] = (), introspection: bool = True
) -> GatewaySchema:
    """The gateway's schema, with ``extensions`` run after its own.

    Each call builds a new schema: the application builds one for its settings.
    Without introspection, errors do not suggest names from the schema either.
    """
    if not introspection:
        extensions = [*extensions, DisableIntrospection]
    return GatewaySchema(
        hide_suggestions=not introspection,
        query=Query,
        mutation=Mutation,
        extensions=[
            MaskUnexpectedErrors,
            StripeCallBudget,
            # Clients send the same documents again and again; parse and check once.
            lambda: ParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
            lambda: AddValidationRules(SHAPE_RULES),
            lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
            *extensions,
        ],
    )


schema = build_schema()
"""The schema with every default, for tools such as ``make schema``."""

__all__ = ["build_schema", "schema"]
