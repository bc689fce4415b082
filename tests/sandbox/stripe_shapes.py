"""Checks a JSON object against the stripe SDK's typed resource classes.

The SDK's annotations are the reference: every annotated field must be present
(with the exceptions Stripe itself makes, listed below), no other field may
appear, non-Optional fields are never null, and nested objects, lists and
expanded references are checked the same way, recursively.
"""

from __future__ import annotations

import ast
import decimal
import functools
import importlib
import inspect
import sys
import typing
from typing import Any, ClassVar, Literal, Union

import stripe
from stripe import StripeObject
from stripe._list_object import ListObject
from stripe._stripe_object import UntypedStripeObject

# Fields Stripe leaves out unless `expand[]` asks for them.
INCLUDABLE: dict[str, set[str]] = {
    "Customer": {
        "subscriptions",
        "sources",
        "tax_ids",
        "cash_balance",
        "invoice_credit_balance",
        "tax",
    },
    "Charge": {"refunds"},
    "Invoice": {"payments", "confirmation_secret"},
    "Price": {"tiers", "currency_options"},
    "Plan": {"tiers"},
}
# Objects Stripe sends with only the keys that apply (per payment method, or
# error-like objects that omit absent fields).
SPARSE = {
    "PaymentIntent.PaymentMethodOptions",
    "PaymentIntent.LastPaymentError",
    "Charge.FraudDetails",
}


@functools.cache
def _deferred_imports(module: str) -> dict[str, tuple[str, str]]:
    """Names the SDK imports under TYPE_CHECKING, which annotations refer to."""
    tree = ast.parse(inspect.getsource(sys.modules[module]))
    found: dict[str, tuple[str, str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                found[alias.asname or alias.name] = (node.module, alias.name)
    return found


class _Namespace(dict[str, Any]):
    def __init__(self, cls: type) -> None:
        super().__init__(vars(cls))
        self.module = cls.__module__

    def __missing__(self, name: str) -> Any:
        module, attribute = _deferred_imports(self.module)[name]
        return getattr(importlib.import_module(module), attribute)


@functools.cache
def fields(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls, localns=_Namespace(cls))
    return {
        name: hint
        for name, hint in hints.items()
        if not name.startswith("_") and typing.get_origin(hint) is not ClassVar
    }


def check(value: Any, cls: type, path: str = "$") -> list[str]:
    errors: list[str] = []
    _object(value, cls, path, errors)
    return errors


def _name(cls: type) -> str:
    return cls.__qualname__


def _object(value: Any, cls: type, path: str, errors: list[str]) -> None:
    if not isinstance(value, dict):
        errors.append(f"{path}: expected {_name(cls)} object, got {value!r}")
        return
    hints = fields(cls)
    for name in sorted(set(value) - set(hints)):
        errors.append(f"{path}.{name}: not a field of {_name(cls)}")
    for name, hint in hints.items():
        if name in value:
            _value(value[name], hint, f"{path}.{name}", errors)
        elif not _may_be_absent(cls, name, value, hints):
            errors.append(f"{path}.{name}: missing from {_name(cls)}")


def _may_be_absent(
    cls: type, name: str, value: dict[str, Any], hints: dict[str, Any]
) -> bool:
    if name == "deleted" or _name(cls) in SPARSE:
        return True
    if name in INCLUDABLE.get(_name(cls), set()):
        return True
    return name in _other_variants(value, hints)


def _other_variants(value: dict[str, Any], hints: dict[str, Any]) -> set[str]:
    """In a `type`-discriminated object, the sub-objects of the other types."""
    chosen = value.get("type")
    if not isinstance(chosen, str) or "type" not in hints:
        return set()
    literals = _literals(hints["type"])
    if literals:
        return {name for name in hints if name in literals and name != chosen}
    return {
        name
        for name, hint in hints.items()
        if name != chosen and _is_optional(hint) and _stripe_classes(hint)
    }


def _value(value: Any, hint: Any, path: str, errors: list[str]) -> None:
    if value is None:
        if not _is_optional(hint):
            errors.append(f"{path}: null but not Optional")
        return
    origin = typing.get_origin(hint)
    if origin is Union:
        _union(value, hint, path, errors)
    elif origin is Literal:
        if value not in typing.get_args(hint):
            errors.append(f"{path}: {value!r} not in {typing.get_args(hint)}")
    elif origin is list:
        _list(value, typing.get_args(hint)[0], path, errors)
    elif origin is ListObject:
        _list_object(value, typing.get_args(hint)[0], path, errors)
    elif origin is UntypedStripeObject:
        _mapping(value, typing.get_args(hint)[0], path, errors)
    elif isinstance(hint, type) and issubclass(hint, StripeObject):
        _object(value, hint, path, errors)
    else:
        _scalar(value, hint, path, errors)


def _union(value: Any, hint: Any, path: str, errors: list[str]) -> None:
    members = [arg for arg in typing.get_args(hint) if arg is not type(None)]
    if len(members) == 1:
        _value(value, members[0], path, errors)
        return
    if isinstance(value, dict):
        classes = _stripe_classes(hint)
        named = [
            cls
            for cls in classes
            if getattr(cls, "OBJECT_NAME", None) == value.get("object")
        ]
        if not classes:
            errors.append(f"{path}: an object where {hint} was expected")
            return
        _object(value, (named or classes)[0], path, errors)
        return
    trial: list[str] = []
    for member in members:
        trial = []
        _value(value, member, path, trial)
        if not trial:
            return
    errors.append(f"{path}: {value!r} does not match {hint}")


def _list(value: Any, item: Any, path: str, errors: list[str]) -> None:
    if not isinstance(value, list):
        errors.append(f"{path}: expected a list, got {value!r}")
        return
    for index, element in enumerate(value):
        _value(element, item, f"{path}[{index}]", errors)


def _list_object(value: Any, item: Any, path: str, errors: list[str]) -> None:
    if not isinstance(value, dict) or value.get("object") != "list":
        errors.append(f"{path}: expected a list object, got {value!r}")
        return
    if set(value) != {"object", "data", "has_more", "url"}:
        errors.append(f"{path}: list keys {sorted(value)}")
    if not isinstance(value.get("has_more"), bool) or not isinstance(
        value.get("url"), str
    ):
        errors.append(f"{path}: has_more/url malformed")
    _list(value.get("data"), item, f"{path}.data", errors)


def _mapping(value: Any, item: Any, path: str, errors: list[str]) -> None:
    if not isinstance(value, dict):
        errors.append(f"{path}: expected a map, got {value!r}")
        return
    for key, element in value.items():
        _value(element, item, f"{path}[{key}]", errors)


_SCALARS: dict[Any, tuple[type, ...]] = {
    str: (str,),
    int: (int,),
    float: (int, float),
    bool: (bool,),
    decimal.Decimal: (str,),
}


def _scalar(value: Any, hint: Any, path: str, errors: list[str]) -> None:
    accepted = _SCALARS.get(hint)
    if accepted is None:
        errors.append(f"{path}: cannot check against {hint}")
        return
    wrong_bool = isinstance(value, bool) and bool not in accepted
    if wrong_bool or not isinstance(value, accepted):
        errors.append(f"{path}: {value!r} is not {hint.__name__}")


def _is_optional(hint: Any) -> bool:
    return typing.get_origin(hint) is Union and type(None) in typing.get_args(hint)


def _literals(hint: Any) -> set[Any]:
    if typing.get_origin(hint) is Literal:
        return set(typing.get_args(hint))
    found: set[Any] = set()
    for arg in typing.get_args(hint):
        found |= _literals(arg)
    return found


def _stripe_classes(hint: Any) -> list[type]:
    args = typing.get_args(hint) if typing.get_origin(hint) is Union else (hint,)
    return [
        arg for arg in args if isinstance(arg, type) and issubclass(arg, StripeObject)
    ]


RESOURCES: dict[str, type] = {
    "customer": stripe.Customer,
    "product": stripe.Product,
    "price": stripe.Price,
    "payment_intent": stripe.PaymentIntent,
    "charge": stripe.Charge,
    "refund": stripe.Refund,
    "invoice": stripe.Invoice,
    "line_item": stripe.InvoiceLineItem,
    "invoiceitem": stripe.InvoiceItem,
    "invoice_payment": stripe.InvoicePayment,
    "subscription": stripe.Subscription,
    "subscription_item": stripe.SubscriptionItem,
}
