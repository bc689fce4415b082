"""The planner's view of a query: the fields it selects, with argument values.

Fragments and inline fragments are inlined and aliases merged, so the planner
sees every way a field is reached.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
    value_from_ast_untyped,
)
from graphql.pyutils import Undefined

from resolvers.lists import Page, PageRequest
from resolvers.planner import FieldUse, Selection, expand_paths
from schema.base import GatewayInfo

Fragments = Mapping[str, FragmentDefinitionNode]


def selection_of(
    selection_set: SelectionSetNode | None,
    fragments: Fragments,
    variables: dict[str, Any],
    _seen: frozenset[str] = frozenset(),
) -> Selection:
    fields: dict[str, list[FieldUse]] = {}
    for node in selection_set.selections if selection_set else ():
        for name, use in _uses(node, fragments, variables, _seen):
            fields.setdefault(name, []).append(use)
    return Selection(fields)


def _uses(
    node: Any, fragments: Fragments, variables: dict[str, Any], seen: frozenset[str]
) -> Iterable[tuple[str, FieldUse]]:
    if isinstance(node, FieldNode):
        arguments = {
            argument.name.value: _value(argument.value, variables)
            for argument in node.arguments or ()
        }
        child = selection_of(node.selection_set, fragments, variables, seen)
        return [(node.name.value, FieldUse(arguments, child))]
    if isinstance(node, InlineFragmentNode):
        inner = selection_of(node.selection_set, fragments, variables, seen)
        return _flatten(inner)
    if isinstance(node, FragmentSpreadNode):
        name = node.name.value
        # Validation rejects cycles; this guard keeps a bad document from looping.
        if name in seen or name not in fragments:
            return []
        inner = selection_of(
            fragments[name].selection_set, fragments, variables, seen | {name}
        )
        return _flatten(inner)
    return []


def _value(node: Any, variables: dict[str, Any]) -> Any:
    # A variable the request left out is Undefined; the planner reads it as unset.
    value = value_from_ast_untyped(node, variables)
    return None if value is Undefined else value


def _flatten(selection: Selection) -> list[tuple[str, FieldUse]]:
    return [(name, use) for name, uses in selection.fields.items() for use in uses]


def selected(info: GatewayInfo) -> Selection:
    """What the query selects below the field being resolved."""
    raw = info._raw_info
    return selection_of(
        _merged(node.selection_set for node in raw.field_nodes),
        raw.fragments,
        _variables(raw.variable_values),
    )


def _variables(values: Any) -> dict[str, Any]:
    # graphql-core hands resolvers a plain dict, though it types a named tuple.
    return dict(getattr(values, "coerced", values))


def _merged(sets: Iterable[SelectionSetNode | None]) -> SelectionSetNode:
    selections = [s for node in sets if node for s in node.selections]
    return SelectionSetNode(selections=tuple(selections))


def plan(
    info: GatewayInfo, object_type: str, *, in_list: bool = False, came_from: str = ""
) -> list[str]:
    """The ``expand[]`` paths that answer what is selected below this field."""
    if not info.context.planner:
        return []
    selection = selected(info)
    if in_list:
        selection = selection.nodes()
    scopes = info.context.principal.scopes
    return expand_paths(object_type, selection, scopes, in_list, came_from)


# The object type each list path returns, for planning its expansions.
LIST_TYPES = {
    "/v1/customers": "customer",
    "/v1/products": "product",
    "/v1/prices": "price",
    "/v1/payment_intents": "payment_intent",
    "/v1/charges": "charge",
    "/v1/refunds": "refund",
    "/v1/invoices": "invoice",
    "/v1/subscriptions": "subscription",
}


async def planned_page(
    info: GatewayInfo,
    path: str,
    filters: Mapping[str, Any],
    request: PageRequest,
    came_from: str = "",
) -> Page:
    """A page of a Stripe list, with what its nodes select expanded into it.

    ``came_from`` names the type of the object whose list this is.
    """
    object_type = LIST_TYPES.get(path)
    if object_type is None:
        expand = []
    else:
        expand = plan(info, object_type, in_list=True, came_from=came_from)
    return await info.context.page(path, filters, request, expand)
