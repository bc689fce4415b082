"""Relay-style pages over Stripe's cursor lists.

Stripe lists run newest first. ``first``/``after`` map onto ``limit`` and
``starting_after``; ``last``/``before`` onto ``limit`` and ``ending_before``.
A page larger than Stripe's maximum of 100 is fetched as a chain of calls.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from resolvers.errors import BadUserInput
from resolvers.loaders import Loaders
from resolvers.stripe_api import (
    DEFAULT_PAGE_SIZE,
    STRIPE_PAGE_MAX,
    StripeAPI,
    StripeDict,
    check_id,
)

MAX_PAGE_SIZE = 1000


@dataclass(frozen=True)
class PageRequest:
    """The slice of a list a client asked for, already checked."""

    size: int
    cursor: str | None
    backward: bool

    @classmethod
    def from_args(
        cls,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> PageRequest:
        if first is not None and last is not None:
            raise BadUserInput("Pass either `first` or `last`, not both.")
        if after is not None and before is not None:
            raise BadUserInput("Pass either `after` or `before`, not both.")
        for cursor in (after, before):
            if cursor is not None:
                check_id(cursor)
        if last is not None or before is not None:
            return cls._backward(last, before, after)
        return cls(_checked_size("first", first), after, backward=False)

    @classmethod
    def _backward(
        cls, last: int | None, before: str | None, after: str | None
    ) -> PageRequest:
        if before is None:
            # Stripe can only walk towards newer objects from a known cursor.
            raise BadUserInput("`last` needs a `before` cursor.")
        if after is not None:
            raise BadUserInput("`after` cannot be combined with `last`.")
        return cls(_checked_size("last", last), before, backward=True)


def _checked_size(name: str, value: int | None) -> int:
    if value is None:
        return DEFAULT_PAGE_SIZE
    if not 0 <= value <= MAX_PAGE_SIZE:
        raise BadUserInput(f"`{name}` must be between 0 and {MAX_PAGE_SIZE}.")
    return value


@dataclass(frozen=True)
class Page:
    """Objects of one page, newest first, with Relay's page info."""

    objects: Sequence[StripeDict]
    has_next_page: bool
    has_previous_page: bool


async def fetch_page(
    api: StripeAPI,
    loaders: Loaders,
    path: str,
    filters: Mapping[str, Any],
    request: PageRequest,
) -> Page:
    """Fetch one Relay page of a Stripe list, priming the loaders with it."""
    if request.size == 0:
        return Page([], has_next_page=False, has_previous_page=False)

    objects, has_more = await _walk(api, path, dict(filters), request)
    loaders.prime_all(objects)
    if request.backward:
        return Page(objects, has_next_page=True, has_previous_page=has_more)
    return Page(
        objects, has_next_page=has_more, has_previous_page=request.cursor is not None
    )


async def _walk(
    api: StripeAPI, path: str, filters: dict[str, Any], request: PageRequest
) -> tuple[list[StripeDict], bool]:
    cursor_param = "ending_before" if request.backward else "starting_after"
    objects: list[StripeDict] = []
    cursor, has_more = request.cursor, True
    while has_more and len(objects) < request.size:
        limit = min(request.size - len(objects), STRIPE_PAGE_MAX)
        params = {**filters, "limit": limit}
        if cursor is not None:
            params[cursor_param] = cursor
        body = await api.get(path, params)
        data = body["data"]
        has_more = bool(body["has_more"]) and bool(data)
        if request.backward:
            objects = data + objects
            cursor = data[0]["id"] if data else cursor
        else:
            objects = objects + data
            cursor = data[-1]["id"] if data else cursor
    return objects, has_more


def page_from_embedded(
    embedded: Mapping[str, Any] | None, request: PageRequest
) -> Page | None:
    """Answer from a list Stripe embedded in its parent, when it holds the page."""
    if not embedded or request.backward or request.cursor is not None:
        return None
    if request.size == 0:
        return Page([], has_next_page=False, has_previous_page=False)
    data = embedded.get("data") or []
    if len(data) < request.size and embedded.get("has_more"):
        return None
    return Page(
        data[: request.size],
        has_next_page=len(data) > request.size or bool(embedded.get("has_more")),
        has_previous_page=False,
    )
