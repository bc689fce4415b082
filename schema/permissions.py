"""The one permission mechanism: every field needs the scopes its types imply.

A field of a type owned by a resource needs that resource's read scope, and a
field returning objects of a resource (directly, in a list or in a page) needs
that resource's read scope as well. The rules come from the types themselves,
so a field reached through an alias, a fragment, ``node`` or an embedded object
is checked the same way, and before its resolver can call Stripe.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any, TypeVar

from strawberry.permission import BasePermission, PermissionExtension
from strawberry.types.base import StrawberryList, StrawberryOptional
from strawberry.types.field import StrawberryField
from strawberry.types.lazy_type import LazyType
from strawberry.types.private import is_private

from resolvers.errors import Forbidden
from resolvers.loaders import object_type_of
from resolvers.scopes import OBJECT_RESOURCES, Access, Resource, scope_name

T = TypeVar("T")
Need = tuple[Resource, Access]


def owned_by(resource: Resource) -> Any:
    """Mark a type as data of ``resource``: reading it needs that read scope."""

    def mark(cls: type[T]) -> type[T]:
        cls.__resource__ = resource  # type: ignore[attr-defined]
        return cls

    return mark


def require(info: Any, needs: Iterable[Need]) -> None:
    """Raise FORBIDDEN for the first scope the request does not hold."""
    scopes = info.context.principal.scopes
    for resource, access in needs:
        if not scopes.allows(resource, access):
            raise forbidden(resource, access)


def forbidden(resource: Resource, access: Access) -> Forbidden:
    scope = scope_name(resource, access)
    return Forbidden(f"This needs the {scope} scope.", requiredScope=scope)


class RequiresScopes(BasePermission):
    """Holds the scopes one field needs."""

    def __init__(self, needs: Iterable[Need]) -> None:
        self.needs = tuple(needs)

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        require(info, self.needs)
        return True


class NodeScope(BasePermission):
    """``node(id)`` needs the read scope of the type its id names."""

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        object_type = object_type_of(str(kwargs.get("id", "")))
        resource = OBJECT_RESOURCES.get(object_type or "")
        if resource is not None:
            require(info, [(resource, Access.READ)])
        return True


def protect(types: Iterable[type], writes: dict[str, Need] | None = None) -> None:
    """Attach the scope check to every field of ``types``.

    ``writes`` names the write scope of each mutation field, by Python name.
    """
    for cls in types:
        owner = getattr(cls, "__resource__", None)
        fields = cls.__strawberry_definition__.fields  # type: ignore[attr-defined]
        for index, field in enumerate(fields):
            if is_private(field.type):
                continue
            needs = _field_needs(owner, field, (writes or {}).get(field.python_name))
            if needs:
                fields[index] = _with_permission(field, RequiresScopes(needs))


def _with_permission(field: StrawberryField, permission: BasePermission) -> Any:
    # Fields inherited from an interface are shared between the types that
    # implement it, so each type gets its own copy with its own check.
    guarded = copy.copy(field)
    extension = PermissionExtension([permission], use_directives=False)
    guarded.extensions = [*field.extensions, extension]
    return guarded


def _field_needs(
    owner: Resource | None, field: StrawberryField, write: Need | None
) -> list[Need]:
    needs: list[Need] = []
    if owner is not None:
        needs.append((owner, Access.READ))
    target = _target_resource(field.type)
    if target is not None and target is not owner:
        needs.append((target, Access.READ))
    if write is not None:
        needs.append(write)
    return needs


def _target_resource(field_type: Any, depth: int = 0) -> Resource | None:
    """The resource of the objects a field returns, through lists and pages."""
    if depth > 4:
        return None
    if isinstance(field_type, StrawberryOptional | StrawberryList):
        return _target_resource(field_type.of_type, depth + 1)
    if isinstance(field_type, LazyType):
        return _target_resource(field_type.resolve_type(), depth + 1)
    resource = getattr(field_type, "__resource__", None)
    if resource is not None:
        return resource
    definition = getattr(field_type, "__strawberry_definition__", None)
    if definition is not None and definition.name.endswith("Connection"):
        nodes = next(f for f in definition.fields if f.python_name == "nodes")
        return _target_resource(nodes.type, depth + 1)
    return None
