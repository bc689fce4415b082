"""Validation of decoded parameters against a small per-endpoint spec.

A spec is a dict of parameter name to kind. Kinds: "str", "int", "decimal",
"bool", "metadata", "range" (an exact integer or gt/gte/lt/lte), a tuple of allowed
strings, a one-element list (an array of that kind) or a nested dict. Empty
strings mean "unset" and come back as None, as Stripe treats them.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import ParamError, missing_param, unknown_param

Spec = str | tuple[str, ...] | list[Any] | dict[str, Any]

_INTEGER = re.compile(r"^-?\d+$")
_DECIMAL = re.compile(r"^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")
_RANGE_KEYS = ("gt", "gte", "lt", "lte")


def validate(
    spec: dict[str, Any], params: dict[str, Any], required: tuple[str, ...] = ()
) -> dict[str, Any]:
    values = _object(spec, params, "")
    for name in required:
        if values.get(name) is None:
            raise missing_param(name)
    return values


def integer(value: Any, name: str) -> int:
    if not isinstance(value, str) or not _INTEGER.match(value):
        raise ParamError(
            f"Invalid integer: {_show(value)}",
            code="parameter_invalid_integer",
            param=name,
        )
    return int(value)


def _decimal(value: Any, name: str) -> float:
    if not isinstance(value, str) or not _DECIMAL.match(value):
        raise ParamError(f"Invalid decimal: {_show(value)}", param=name)
    return float(value)


def _coerce(kind: Spec, value: Any, name: str) -> Any:
    if value == "" and kind != "metadata":
        return None
    if isinstance(kind, dict):
        return _object(kind, _expect_dict(value, name), name)
    if isinstance(kind, list):
        return [
            _coerce(kind[0], item, f"{name}[{i}]") for i, item in _items(value, name)
        ]
    if isinstance(kind, tuple):
        return _choice(kind, value, name)
    return _SCALARS[kind](value, name)


def _object(
    spec: dict[str, Any], params: dict[str, Any], prefix: str
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, value in params.items():
        name = f"{prefix}[{key}]" if prefix else key
        if key not in spec:
            raise unknown_param(name)
        values[key] = _coerce(spec[key], value, name)
    return values


def _expect_dict(value: Any, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ParamError(f"Invalid object: {name} must be a hash.", param=name)
    return value


def _items(value: Any, name: str) -> list[tuple[int, Any]]:
    if isinstance(value, dict) and not value:
        return []
    if not isinstance(value, list):
        raise ParamError(f"Invalid array: {name} must be an array.", param=name)
    return list(enumerate(value))


def _choice(allowed: tuple[str, ...], value: Any, name: str) -> str:
    if value not in allowed:
        options = ", ".join(f"`{option}`" for option in allowed)
        raise ParamError(f"Invalid {name}: must be one of {options}", param=name)
    return str(value)


def _string(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise ParamError(f"Invalid string: {name} must be a string.", param=name)
    return value


def _boolean(value: Any, name: str) -> bool:
    if value not in ("true", "false"):
        raise ParamError(f"Invalid boolean: {_show(value)}", param=name)
    return bool(value == "true")


def _metadata(value: Any, name: str) -> dict[str, str] | None:
    if value == "":
        return None
    pairs = _expect_dict(value, name)
    for key, item in pairs.items():
        _string(item, f"{name}[{key}]")
    return dict(pairs)


def _range(value: Any, name: str) -> dict[str, int]:
    if not isinstance(value, dict):
        return {"eq": integer(value, name)}
    bounds: dict[str, int] = {}
    for key, item in value.items():
        if key not in _RANGE_KEYS:
            raise unknown_param(f"{name}[{key}]")
        bounds[key] = integer(item, f"{name}[{key}]")
    return bounds


def _show(value: Any) -> str:
    return value if isinstance(value, str) else repr(value)


_SCALARS = {
    "str": _string,
    "int": integer,
    "decimal": _decimal,
    "bool": _boolean,
    "metadata": _metadata,
    "range": _range,
}


def in_range(value: int | None, bounds: dict[str, int] | None) -> bool:
    """Whether a timestamp satisfies a `created`-style filter."""
    if not bounds:
        return True
    if value is None:
        return False
    checks = {
        "eq": value == bounds.get("eq", value),
        "gt": value > bounds.get("gt", value - 1),
        "gte": value >= bounds.get("gte", value),
        "lt": value < bounds.get("lt", value + 1),
        "lte": value <= bounds.get("lte", value),
    }
    return all(checks.values())
