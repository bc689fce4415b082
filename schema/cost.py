"""Stripe calls as the budget of a request: estimated before execution, refused
over the limit, and reported in the response's ``extensions.cost``."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from graphql import (
    ExecutionResult,
    FragmentDefinitionNode,
    GraphQLError,
    OperationDefinitionNode,
)
from strawberry.extensions import SchemaExtension

from resolvers.context import RequestContext
from resolvers.planner import Selection, estimate_calls
from schema.selection import selection_of

logger = logging.getLogger(__name__)

MUTATION_CALLS_MAX = 3
"""The most Stripe calls one mutation makes: a write, and at most a read before
it (a currency or state to check) and one after (the object as it now is)."""


class StripeCallBudget(SchemaExtension):
    """Refuses a query whose estimated Stripe calls exceed the request's budget."""

    estimate = 0

    def on_execute(self) -> Iterator[None]:
        context: RequestContext = self.execution_context.context
        try:
            root = self._root_selection()
            scopes = context.principal.scopes
            self.estimate = estimate_calls(root, scopes, context.planner)
            if self._is_mutation():
                mutations = sum(len(uses) for uses in root.fields.values())
                self.estimate += mutations * MUTATION_CALLS_MAX
        except Exception:
            # Without an estimate the budget cannot be kept: refuse, never guess.
            logger.exception("estimating Stripe calls failed")
            self._refuse(
                GraphQLError("Internal error.", extensions={"code": "INTERNAL"})
            )
        else:
            if self.estimate > context.call_budget:
                self._refuse(too_expensive(self.estimate, context.call_budget))
        yield

    def _refuse(self, error: GraphQLError) -> None:
        self.execution_context.result = ExecutionResult(data=None, errors=[error])

    def get_results(self) -> dict[str, Any]:
        context = self.execution_context.context
        if not isinstance(context, RequestContext):
            return {}
        stats = context.api.stats
        return {
            "cost": {
                "estimatedCalls": self.estimate,
                "stripeCalls": stats.calls,
                "stripeWaitMs": round(stats.seconds * 1000, 1),
                "rateLimitWaitMs": round(stats.rate_limit_seconds * 1000, 1),
            }
        }

    def _is_mutation(self) -> bool:
        operation = self.execution_context.operation_type
        return operation is not None and operation.value == "mutation"

    def _root_selection(self) -> Selection:
        document = self.execution_context.graphql_document
        if document is None:
            return Selection()
        operations = [
            node
            for node in document.definitions
            if isinstance(node, OperationDefinitionNode)
        ]
        name = self.execution_context.operation_name
        chosen = [op for op in operations if name is None or _named(op, name)]
        fragments = {
            node.name.value: node
            for node in document.definitions
            if isinstance(node, FragmentDefinitionNode)
        }
        variables = dict(self.execution_context.variables or {})
        return selection_of(chosen[0].selection_set, fragments, variables)


def _named(operation: OperationDefinitionNode, name: str) -> bool:
    return operation.name is not None and operation.name.value == name


def too_expensive(estimate: int, budget: int) -> GraphQLError:
    return GraphQLError(
        f"The query could make {estimate} Stripe calls; the budget is {budget}. "
        "Ask for smaller pages or fewer nested lists.",
        extensions={
            "code": "QUERY_TOO_EXPENSIVE",
            "estimatedCalls": estimate,
            "budget": budget,
        },
    )
