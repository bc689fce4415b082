"""Decoding of Stripe's bracket notation (`items[0][price]=x`, `expand[]=y`).

Query strings and form bodies share the notation, so both arrive here as
ordered (key, value) pairs and leave as nested dicts and lists of strings.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from .errors import ParamError

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_SEGMENT = re.compile(r"\[([^\[\]]*)\]")


def parse(raw: str) -> dict[str, Any]:
    pairs = parse_qsl(raw, keep_blank_values=True)
    return decode(pairs)


def decode(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    root: dict[str, Any] = {}
    for key, value in pairs:
        _insert(root, _split(key), value)
    result = _listify(root)
    assert isinstance(result, dict)
    return result


def _split(key: str) -> list[str]:
    match = _KEY.match(key)
    if not match:
        raise ParamError(f"Invalid parameter name: {key}", param=key)
    return [match.group(1), *_SEGMENT.findall(match.group(2))]


def _insert(node: dict[str, Any], segments: list[str], value: str) -> None:
    for position, segment in enumerate(segments):
        # `expand[]` appends: give each empty segment the next free index.
        name = str(len(node)) if segment == "" else segment
        if position == len(segments) - 1:
            node[name] = value
            return
        child = node.get(name)
        if not isinstance(child, dict):
            child = node[name] = {}
        node = child


def _listify(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    items = {key: _listify(child) for key, child in value.items()}
    if items and all(key.isdigit() for key in items):
        return [items[key] for key in sorted(items, key=int)]
    return items
