"""The query planner: which Stripe calls a selection needs, and how few.

It works on a plain tree of the fields a query selects (``Selection``), so its
rules read as data: ``EXPANSIONS`` says which relations Stripe can embed in the
parent's response, ``FIELDS`` what each field costs when nothing is embedded.
The same rules drive the plan at resolution time and the estimate made before
execution.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from resolvers.scopes import OBJECT_RESOURCES, Access, Scopes
from resolvers.stripe_api import DEFAULT_PAGE_SIZE, STRIPE_PAGE_MAX

MAX_EXPAND_LEVELS = 4
"""Stripe expands at most four levels; a list's ``data`` counts as one."""

EMBEDDED_PAGE = 10
"""How many entries Stripe embeds in an included or embedded list."""


@dataclass(frozen=True)
class Selection:
    """The fields selected on one object type, each with every use of it."""

    fields: Mapping[str, list[FieldUse]] = field(default_factory=dict)

    def uses(self, name: str) -> list[FieldUse]:
        return self.fields.get(name, [])

    def nodes(self) -> Selection:
        """For a connection: the selection on its nodes, via nodes or edges.node."""
        merged = [use.selection for use in self.uses("nodes")]
        for edge in self.uses("edges"):
            merged += [use.selection for use in edge.selection.uses("node")]
        return merge(merged)


@dataclass(frozen=True)
class FieldUse:
    """One occurrence of a field, with its argument values."""

    arguments: Mapping[str, Any]
    selection: Selection


def merge(selections: Iterable[Selection]) -> Selection:
    fields: dict[str, list[FieldUse]] = {}
    for selection in selections:
        for name, uses in selection.fields.items():
            fields.setdefault(name, []).extend(uses)
    return Selection(fields)


@dataclass(frozen=True)
class Expansion:
    """A relation Stripe can return inside its parent with ``expand[]``."""

    stripe_field: str
    target: str
    is_list: bool = False


EXPANSIONS: Mapping[str, Mapping[str, Expansion]] = {
    "customer": {
        "subscriptions": Expansion("subscriptions", "subscription", is_list=True),
    },
    "invoice": {"customer": Expansion("customer", "customer")},
    "payment_intent": {
        "customer": Expansion("customer", "customer"),
        "latestCharge": Expansion("latest_charge", "charge"),
    },
    "charge": {
        "customer": Expansion("customer", "customer"),
        "paymentIntent": Expansion("payment_intent", "payment_intent"),
        "refunds": Expansion("refunds", "refund", is_list=True),
    },
    "refund": {
        "charge": Expansion("charge", "charge"),
        "paymentIntent": Expansion("payment_intent", "payment_intent"),
    },
    "subscription": {
        "customer": Expansion("customer", "customer"),
        "latestInvoice": Expansion("latest_invoice", "invoice"),
    },
    "price": {"product": Expansion("product", "product")},
    "product": {"defaultPrice": Expansion("default_price", "price")},
}


def expand_paths(
    object_type: str,
    selection: Selection,
    scopes: Scopes,
    in_list: bool,
    came_from: str = "",
) -> list[str]:
    """The ``expand[]`` paths that answer ``selection`` inside one response.

    Only relations the caller may read are expanded: a denied field must cost
    no Stripe call, not even part of one. ``came_from`` is the type of the
    object these were reached from, which the loaders already hold.
    """
    prefix = ["data"] if in_list else []
    budget = MAX_EXPAND_LEVELS - len(prefix)
    paths = _expansions(object_type, selection, scopes, budget, came_from)
    joined = [".".join(prefix + path) for path in paths]
    # Stripe expands a path's parents too, so only the longest paths are sent.
    return sorted(p for p in joined if not any(o.startswith(p + ".") for o in joined))


def _expansions(
    object_type: str,
    selection: Selection,
    scopes: Scopes,
    budget: int,
    came_from: str = "",
) -> list[list[str]]:
    paths: list[list[str]] = []
    for name, rule in EXPANSIONS.get(object_type, {}).items():
        uses = selection.uses(name)
        levels = [rule.stripe_field] + (["data"] if rule.is_list else [])
        if not uses or len(levels) - rule.is_list > budget:
            continue
        if rule.target == came_from:
            continue  # a way back to the parent: already loaded
        if not _readable(rule.target, scopes) or not _embeddable(rule, uses):
            continue
        paths.append([rule.stripe_field])
        child = merge(u.selection for u in uses)
        child = child.nodes() if rule.is_list else child
        inner = budget - len(levels)
        for path in _expansions(rule.target, child, scopes, inner, object_type):
            paths.append(levels + path)
    return paths


def _readable(object_type: str, scopes: Scopes) -> bool:
    resource = OBJECT_RESOURCES.get(object_type)
    return resource is not None and scopes.allows(resource, Access.READ)


def _embeddable(rule: Expansion, uses: list[FieldUse]) -> bool:
    """An embedded list holds only a default first page of up to ten entries."""
    return not rule.is_list or any(embedded_page_suffices(u.arguments) for u in uses)


def embedded_page_suffices(arguments: Mapping[str, Any]) -> bool:
    if any(arguments.get(k) is not None for k in ("after", "before", "last")):
        return False
    if arguments.get("status") is not None:
        return False
    first = arguments.get("first")
    if first is None:
        return True
    count = page_count(first)
    return count is not None and count <= EMBEDDED_PAGE


# How each field reaches Stripe when nothing is embedded, by object type and field.
Kind = Literal["retrieve", "list", "embedded", "embedded_list", "batch"]


@dataclass(frozen=True)
class FieldAccess:
    """One retrieve per parent, a list per parent, already embedded in the
    parent, embedded as a list, or batched a hundred at a time."""

    kind: Kind
    target: str
    calls: int = 1
    """Calls per parent object when it is fetched on its own."""


def _retrieve(target: str) -> FieldAccess:
    return FieldAccess("retrieve", target)


def _list(target: str) -> FieldAccess:
    return FieldAccess("list", target)


FIELDS: Mapping[str, Mapping[str, FieldAccess]] = {
    "query": {
        "customer": _retrieve("customer"),
        "customers": _list("customer"),
        "product": FieldAccess("batch", "product"),
        "products": _list("product"),
        "price": _retrieve("price"),
        "prices": _list("price"),
        "paymentIntent": _retrieve("payment_intent"),
        "paymentIntents": _list("payment_intent"),
        "charge": _retrieve("charge"),
        "charges": _list("charge"),
        "refund": _retrieve("refund"),
        "refunds": _list("refund"),
        "invoice": _retrieve("invoice"),
        "invoices": _list("invoice"),
        "subscription": _retrieve("subscription"),
        "subscriptions": _list("subscription"),
        "node": _retrieve("node"),
    },
    "customer": {
        "subscriptions": _list("subscription"),
        "invoices": _list("invoice"),
        "charges": _list("charge"),
        "paymentIntents": _list("payment_intent"),
    },
    "product": {"prices": _list("price"), "defaultPrice": _retrieve("price")},
    "price": {"product": FieldAccess("batch", "product")},
    "payment_intent": {
        "customer": _retrieve("customer"),
        "latestCharge": _retrieve("charge"),
    },
    "charge": {
        "customer": _retrieve("customer"),
        "paymentIntent": _retrieve("payment_intent"),
        "refunds": _list("refund"),
    },
    "refund": {
        "charge": _retrieve("charge"),
        "paymentIntent": _retrieve("payment_intent"),
    },
    "invoice": {
        "customer": _retrieve("customer"),
        "subscription": _retrieve("subscription"),
        "lines": FieldAccess("embedded_list", "line_item"),
        # The invoice's payments first, then the intent they name.
        "paymentIntent": FieldAccess("retrieve", "payment_intent", calls=2),
    },
    "line_item": {"price": _retrieve("price")},
    "subscription": {
        "customer": _retrieve("customer"),
        "items": FieldAccess("embedded_list", "subscription_item"),
        "latestInvoice": _retrieve("invoice"),
    },
    "subscription_item": {"price": FieldAccess("embedded", "price")},
}


def estimate_calls(root: Selection, scopes: Scopes, planner: bool) -> int:
    """An upper bound on the Stripe calls a query makes, before it runs.

    It follows the planner's own rules: a relation it would expand costs
    nothing, within the levels left in the response that carries it.
    """
    return _Estimate(scopes, planner).cost(_At("query", parents=1), root)


@dataclass(frozen=True)
class _At:
    """Where the estimate stands: objects of one type, and how they arrived."""

    object_type: str
    parents: int
    levels: int = 0
    """Expand levels left in the response carrying these objects."""
    came_from: str = ""
    """The type of the object these were reached from."""


@dataclass(frozen=True)
class _Estimate:
    scopes: Scopes
    planner: bool

    def cost(self, at: _At, selection: Selection) -> int:
        fields = FIELDS.get(at.object_type, {})
        rules = EXPANSIONS.get(at.object_type, {}) if self.planner else {}
        return sum(
            self._field(at, fields[name], rules.get(name), use)
            for name, uses in selection.fields.items()
            if name in fields
            for use in uses
        )

    def _field(
        self, at: _At, access: FieldAccess, rule: Expansion | None, use: FieldUse
    ) -> int:
        target = access.target
        if target != "node" and not _readable(target, self.scopes):
            return 0  # denied before it resolves, so never fetched
        if access.kind in ("list", "embedded_list"):
            return self._list(at, access, rule, use)
        own, levels = at.parents * access.calls, MAX_EXPAND_LEVELS
        if (rule and self._expands(rule, use, at.levels)) or access.kind == "embedded":
            own, levels = 0, at.levels - 1
        elif target == at.came_from:
            # A way back to the object this one was reached from, such as a
            # refund's charge among that charge's refunds: the loader has it.
            own, levels = 0, 0
        elif access.kind == "batch" and self.planner:
            own, levels = math.ceil(at.parents / STRIPE_PAGE_MAX), 0
        inner = _At(target, at.parents, levels, at.object_type)
        return own + self.cost(inner, use.selection)

    def _list(
        self, at: _At, access: FieldAccess, rule: Expansion | None, use: FieldUse
    ) -> int:
        size = page_size(use.arguments)
        pages = 0 if size == 0 else math.ceil(size / STRIPE_PAGE_MAX)
        own, levels = at.parents * pages, MAX_EXPAND_LEVELS - 1
        embedded = access.kind == "embedded_list" or bool(
            rule and self._expands(rule, use, at.levels)
        )
        # Only a first page is embedded: a cursor or `last` costs a call a parent.
        if embedded and embedded_page_suffices(use.arguments):
            own, levels = 0, at.levels - 2
        inner = _At(access.target, at.parents * size, levels, at.object_type)
        return own + self.cost(inner, use.selection.nodes())

    def _expands(self, rule: Expansion, use: FieldUse, levels: int) -> bool:
        # The relation itself takes one level; a list's entries sit one deeper.
        return (
            levels >= 1
            and _readable(rule.target, self.scopes)
            and _embeddable(rule, [use])
        )


# GraphQL's Int is 32 bits; larger values fail coercion.
GRAPHQL_INT_MIN, GRAPHQL_INT_MAX = -(2**31), 2**31 - 1


def page_size(arguments: Mapping[str, Any]) -> int:
    size = page_count(arguments.get("first"))
    if size is None:
        size = page_count(arguments.get("last"))
    return DEFAULT_PAGE_SIZE if size is None else max(0, size)


def page_count(value: Any) -> int | None:
    """``first`` or ``last`` as GraphQL coerces an Int, or None if it is not one.

    The estimate reads variables before GraphQL coerces them: a value that is
    not an Int (a string, NaN, a list, a number past 32 bits) fails coercion,
    so nothing it estimates runs; an integral float such as 1000.0 passes as 1000.
    """
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value if GRAPHQL_INT_MIN <= value <= GRAPHQL_INT_MAX else None
    return None
