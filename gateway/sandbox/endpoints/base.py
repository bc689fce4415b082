"""What every endpoint module shares: the Endpoint record, the per-call
context and helpers for the two shapes of answer, one object or a list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..lists import LIST_SPEC, envelope, page
from ..render import Renderer
from ..store import Obj, Store


@dataclass
class Call:
    store: Store
    values: dict[str, Any]
    path: dict[str, str]

    @property
    def renderer(self) -> Renderer:
        return Renderer(self.store)

    def render(self, obj: Obj) -> Obj:
        return self.renderer.render(obj)


Handler = Callable[[Call], Obj]


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    handler: Handler
    kind: str
    spec: dict[str, Any] = field(default_factory=dict)
    required: tuple[str, ...] = ()


def listing(
    path: str,
    handler: Handler,
    kind: str,
    filters: dict[str, Any],
    required: tuple[str, ...] = (),
) -> Endpoint:
    spec = {**LIST_SPEC, **filters}
    return Endpoint("GET", path, handler, f"list:{kind}", spec, required)


def retrieve(path: str, kind: str) -> Endpoint:
    def handler(call: Call) -> Obj:
        return call.render(call.store.get(kind, call.path["id"]))

    return Endpoint("GET", path, handler, kind)


def list_page(
    call: Call, kind: str, objects: list[Obj], url: str, *, newest_first: bool = True
) -> Obj:
    data, has_more = page(
        call.store, kind, objects, call.values, url, newest_first=newest_first
    )
    return envelope([call.render(obj) for obj in data], has_more, url)


def matching(
    objects: list[Obj], values: dict[str, Any], names: tuple[str, ...]
) -> list[Obj]:
    """Objects whose fields equal every filter among `names` that was given."""
    wanted = {name: values[name] for name in names if values.get(name) is not None}
    return [
        obj
        for obj in objects
        if all(obj.get(key) == value for key, value in wanted.items())
    ]


def deleted(obj: Obj) -> Obj:
    return {"id": obj["id"], "object": obj["object"], "deleted": True}


METADATA = {"metadata": "metadata"}
ADDRESS = {
    name: "str"
    for name in ("city", "country", "line1", "line2", "postal_code", "state")
}
