"""What every Stripe-backed type shares: the Node interface and the conversion
from a Stripe object's fields to GraphQL values."""

from __future__ import annotations

import enum
import typing
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from types import NoneType, UnionType
from typing import Any, Self

import strawberry
from strawberry.types import Info
from strawberry.types.private import is_private

from resolvers.context import RequestContext
from resolvers.stripe_api import StripeDict
from schema.money import Money

GatewayInfo = Info[RequestContext, None]


@strawberry.interface(description="An object that Stripe identifies by its id.")
class Node:
    raw: strawberry.Private[StripeDict]
    id: strawberry.ID = strawberry.field(
        description="The Stripe id of the object, such as cus_… for a customer."
    )


class StripeValue:
    """Builds a type from a Stripe object whose keys match the type's fields.

    Each plain field reads the Stripe key of the same snake_case name and is
    converted by its annotation: Unix seconds become ``datetime``, integers
    become ``Money`` in the object's currency, strings become enum members.
    """

    @classmethod
    def from_stripe(cls, obj: Mapping[str, Any]) -> Self:
        hints, keeps_raw = _field_hints(typing.cast(type, cls))
        values = {
            name: _convert(obj.get(name), hint, obj) for name, hint in hints.items()
        }
        if keeps_raw:
            values["raw"] = dict(obj)
        return cls(**values)

    @classmethod
    def maybe(cls, obj: Mapping[str, Any] | None) -> Self | None:
        return None if obj is None else cls.from_stripe(obj)


@cache
def _field_hints(cls: type) -> tuple[dict[str, Any], bool]:
    """The annotations of a type's plain fields, and whether it keeps ``raw``."""
    definition = cls.__strawberry_definition__  # type: ignore[attr-defined]
    hints = typing.get_type_hints(cls)
    plain = {
        field.python_name: hints[field.python_name]
        for field in definition.fields
        if field.base_resolver is None and not is_private(field.type)
    }
    return plain, "raw" in hints


def _convert(value: Any, hint: Any, obj: Mapping[str, Any]) -> Any:
    target = _without_none(hint)
    if value is None or not isinstance(target, type):
        return value
    if target is datetime:
        return timestamp(value)
    if target is Money:
        currency = obj.get("currency")
        return Money(amount=value, currency=currency) if currency else None
    if issubclass(target, enum.Enum):
        return parse_enum(target, value)
    if issubclass(target, StripeValue):
        return target.from_stripe(value)
    return value


def _without_none(hint: Any) -> Any:
    if typing.get_origin(hint) in (typing.Union, UnionType):
        args = [arg for arg in typing.get_args(hint) if arg is not NoneType]
        return args[0] if len(args) == 1 else hint
    return hint


def timestamp(value: int | None) -> datetime | None:
    """Stripe's Unix seconds as an aware UTC datetime."""
    return None if value is None else datetime.fromtimestamp(value, tz=UTC)


E = typing.TypeVar("E", bound=enum.Enum)


def parse_enum(enum_type: type[E], value: str) -> E:
    """The member for a Stripe value; values Stripe adds later read as UNKNOWN."""
    try:
        return enum_type(value)
    except ValueError:
        return enum_type["UNKNOWN"]


def stripe_id(value: str | Mapping[str, Any] | None) -> str | None:
    """The id of an expandable field, whether Stripe sent the id or the object."""
    if value is None or isinstance(value, str):
        return value
    return str(value["id"])
