"""List envelopes and cursor pagination, shared by every list endpoint."""

from __future__ import annotations

from typing import Any

from .errors import ParamError
from .params import in_range, integer
from .store import Obj, Store

LIST_SPEC: dict[str, Any] = {
    "limit": "str",
    "starting_after": "str",
    "ending_before": "str",
    "created": "range",
}


def envelope(data: list[Obj], has_more: bool, url: str) -> Obj:
    return {"object": "list", "data": data, "has_more": has_more, "url": url}


def page(
    store: Store,
    kind: str,
    objects: list[Obj],
    params: dict[str, Any],
    url: str,
    *,
    newest_first: bool = True,
) -> tuple[list[Obj], bool]:
    """One page of `objects`, ordered newest first unless told otherwise."""
    limit = _limit(params.get("limit"))
    after, before = params.get("starting_after"), params.get("ending_before")
    if after and before:
        raise ParamError(
            "You may only specify one of these parameters: ending_before, "
            "starting_after.",
            code="parameters_exclusive",
            param="ending_before",
        )
    created = params.get("created")
    chosen = [obj for obj in objects if in_range(obj.get("created"), created)]
    ordered = sorted(chosen, key=store.sort_key, reverse=newest_first)
    if after:
        cursor = store.sort_key(
            store.get(kind, after, param="starting_after", status=400)
        )
        rest = [
            obj for obj in ordered if _beyond(store.sort_key(obj), cursor, newest_first)
        ]
        return rest[:limit], len(rest) > limit
    if before:
        cursor = store.sort_key(
            store.get(kind, before, param="ending_before", status=400)
        )
        rest = [
            obj for obj in ordered if _beyond(cursor, store.sort_key(obj), newest_first)
        ]
        return rest[-limit:], len(rest) > limit
    return ordered[:limit], len(ordered) > limit


def _beyond(key: tuple[int, int], cursor: tuple[int, int], newest_first: bool) -> bool:
    return key < cursor if newest_first else key > cursor


def _limit(raw: str | None) -> int:
    if raw is None:
        return 10
    value = integer(raw, "limit")
    if value < 1:
        raise ParamError(
            "This value must be greater than or equal to 1.", param="limit"
        )
    if value > 100:
        raise ParamError("This value must be less than or equal to 100.", param="limit")
    return value
