"""Relay connections over Stripe lists; a cursor is the Stripe id of its node."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

import strawberry

from resolvers.lists import Page

T = TypeVar("T")


@strawberry.type(description="Where a page sits in its list.")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="Whether more objects follow this page (older ones)."
    )
    has_previous_page: bool = strawberry.field(
        description="Whether objects come before this page (newer ones)."
    )
    start_cursor: str | None = strawberry.field(
        description="The cursor of the first object on this page."
    )
    end_cursor: str | None = strawberry.field(
        description="The cursor of the last object on this page."
    )


@strawberry.type(description="An object on a page, with its cursor.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(
        description="Pass as `after` or `before` to page from this object."
    )
    node: T = strawberry.field(description="The object.")


@strawberry.type(description="A page of a list, newest first.")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The objects with cursors.")
    nodes: list[T] = strawberry.field(description="The objects of this page.")
    page_info: PageInfo = strawberry.field(description="Paging information.")

    @classmethod
    def of(cls, page: Page, build: Callable[[dict[str, Any]], T]) -> Connection[T]:
        nodes = [build(obj) for obj in page.objects]
        cursors = [str(obj["id"]) for obj in page.objects]
        return cls(
            edges=[Edge(cursor=c, node=n) for c, n in zip(cursors, nodes, strict=True)],
            nodes=nodes,
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                has_previous_page=page.has_previous_page,
                start_cursor=cursors[0] if cursors else None,
                end_cursor=cursors[-1] if cursors else None,
            ),
        )
