"""`expand[]`: validation of dotted paths and their application to a response.

FIELDS maps each object type to the dotted field paths that can be expanded or
walked through, and what each leads to: another object type (an id that
expands), "list:<type>" (an embedded or includable list) or "include" (an
includable sub-object). Paths are validated before anything is fetched, so a bad
path fails the same way whether or not the value happens to be null.
"""

from __future__ import annotations

from typing import Any

from .errors import StripeError
from .render import Renderer
from .store import Obj

MAX_DEPTH = 4

FIELDS: dict[str, dict[str, str]] = {
    "customer": {
        "subscriptions": "list:subscription",
        "sources": "list:source",
        "tax_ids": "list:tax_id",
    },
    "product": {"default_price": "price"},
    "price": {"product": "product"},
    "plan": {"product": "product"},
    "payment_intent": {"customer": "customer", "latest_charge": "charge"},
    "charge": {
        "customer": "customer",
        "payment_intent": "payment_intent",
        "refunds": "list:refund",
    },
    "refund": {
        "charge": "charge",
        "customer": "customer",
        "payment_intent": "payment_intent",
    },
    "invoice": {
        "customer": "customer",
        "latest_revision": "invoice",
        "lines": "list:line_item",
        "payments": "list:invoice_payment",
        "confirmation_secret": "include",
        "parent.subscription_details.subscription": "subscription",
    },
    "line_item": {
        "subscription": "subscription",
        "pricing.price_details.price": "price",
    },
    "invoiceitem": {
        "customer": "customer",
        "invoice": "invoice",
        "pricing.price_details.price": "price",
    },
    "invoice_payment": {
        "invoice": "invoice",
        "payment.payment_intent": "payment_intent",
        "payment.charge": "charge",
    },
    "subscription": {
        "customer": "customer",
        "latest_invoice": "invoice",
        "items": "list:subscription_item",
    },
    "subscription_item": {"price": "price", "plan": "plan"},
}


def validate(kind: str, paths: list[str]) -> list[str]:
    """Check each path from an object of `kind`; return the object types the
    paths reach, in order, since a restricted key needs to read each of them."""
    reached: list[str] = []
    for path in paths:
        segments = path.split(".")
        if len(segments) > MAX_DEPTH:
            raise StripeError(
                400,
                f"You cannot expand more than 4 levels of a property. Property: {path}",
                code="property_expansion_max_depth",
            )
        reached.extend(_walk(kind, segments))
    return reached


def apply(renderer: Renderer, body: Obj, paths: list[str]) -> Obj:
    for path in paths:
        _apply(renderer, body, path.split("."))
    return body


def _walk(kind: str, segments: list[str]) -> list[str]:
    reached: list[str] = []
    position = 0
    while position < len(segments):
        if kind.startswith("list:"):
            if segments[position] != "data":
                raise _not_expandable(segments[: position + 1])
            kind, position = kind[5:], position + 1
            continue
        length, target = _match(kind, segments[position:])
        if target is None:
            raise _not_expandable(segments[: position + length + 1])
        kind, position = target, position + length
        reached.append(target.removeprefix("list:"))
    return reached


def _match(kind: str, segments: list[str]) -> tuple[int, str | None]:
    """The field path at the head of `segments`: its length and target, or the
    length of the longest known prefix and None."""
    fields = FIELDS.get(kind, {})
    known = 0
    for length in range(1, len(segments) + 1):
        head = ".".join(segments[:length])
        if head in fields:
            return length, fields[head]
        if any(path.startswith(head + ".") for path in fields):
            known = length
    return known, None


def _not_expandable(segments: list[str]) -> StripeError:
    return StripeError(400, f"This property cannot be expanded ({'.'.join(segments)}).")


def _apply(renderer: Renderer, value: Any, segments: list[str]) -> None:
    if not segments or not isinstance(value, dict):
        return
    if value.get("object") == "list":
        for item in value["data"]:
            _apply(renderer, item, segments[1:])
        return
    length, target = _match(value["object"], segments)
    *parents, field = segments[:length]
    holder = _descend(value, parents)
    if holder is None or target is None:
        return
    current = holder.get(field)
    if field not in holder:
        # Includable fields are absent until asked for.
        holder[field] = renderer.include(value, field)
    elif isinstance(current, str):
        holder[field] = renderer.by_id(current)
    _apply(renderer, holder[field], segments[length:])


def _descend(value: Obj, keys: list[str]) -> Obj | None:
    for key in keys:
        child = value.get(key)
        if not isinstance(child, dict):
            return None
        value = child
    return value
