"""Stripe calls as the budget of a request: estimated before execution, refused
over the limit, and reported in the response's ``extensions.cost``."""

from __future__ import annotations

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


class StripeCallBudget(SchemaExtension):
    """Refuses a query whose estimated Stripe calls exceed the request's budget."""

    estimate = 0

    def on_execute(self) -> Iterator[None]:
        context: RequestContext = self.execution_context.context
        root = self._root_selection()
        self.estimate = estimate_calls(root, context.principal.scopes, context.planner)
        if self.estimate > context.call_budget:
            self.execution_context.result = ExecutionResult(
                data=None, errors=[too_expensive(self.estimate, context.call_budget)]
            )
        yield

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
            }
        }

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
