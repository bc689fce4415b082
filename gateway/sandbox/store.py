"""The in-memory state of one account: objects by type, ids, clock and the
responses kept for idempotency keys.

Objects are stored as plain JSON-ready dicts with references kept as ids;
embedded lists and expansions are produced at render time, so a change to one
object shows everywhere it is referenced.
"""

from __future__ import annotations

import random
import string
import time
from dataclasses import dataclass, field
from typing import Any

from .errors import no_such

Obj = dict[str, Any]

# Prefix and length of the random part of each object type's ids.
ID_FORMATS: dict[str, tuple[str, int]] = {
    "customer": ("cus", 14),
    "product": ("prod", 14),
    "price": ("price", 24),
    "payment_intent": ("pi", 24),
    "charge": ("ch", 24),
    "refund": ("re", 24),
    "invoice": ("in", 24),
    "line_item": ("il", 24),
    "invoiceitem": ("ii", 24),
    "invoice_payment": ("inpay", 24),
    "subscription": ("sub", 24),
    "subscription_item": ("si", 14),
}
_TYPE_BY_PREFIX = {prefix: kind for kind, (prefix, _) in ID_FORMATS.items()}
_ALPHABET = string.ascii_letters + string.digits


@dataclass
class StoredResponse:
    fingerprint: str
    status: int
    body: dict[str, Any]
    request_id: str


@dataclass
class Store:
    seed: int = 0
    tables: dict[str, dict[str, Obj]] = field(default_factory=dict)
    sequence: dict[str, int] = field(default_factory=dict)
    idempotency: dict[tuple[str, str], StoredResponse] = field(default_factory=dict)
    tombstones: dict[str, Obj] = field(default_factory=dict)
    frozen_now: int | None = None

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def now(self) -> int:
        # The seed freezes the clock so that its timestamps never depend on
        # when the sandbox starts.
        if self.frozen_now is not None:
            return self.frozen_now
        return int(time.time())

    def token(self, length: int) -> str:
        return "".join(self.rng.choice(_ALPHABET) for _ in range(length))

    def new_id(self, kind: str) -> str:
        prefix, length = ID_FORMATS[kind]
        return f"{prefix}_{self.token(length)}"

    def add(self, obj: Obj) -> Obj:
        self.tables.setdefault(obj["object"], {})[obj["id"]] = obj
        self.sequence[obj["id"]] = len(self.sequence)
        return obj

    def get(
        self, kind: str, object_id: str, *, param: str = "id", status: int = 404
    ) -> Obj:
        obj = self.tables.get(kind, {}).get(object_id)
        if obj is None:
            raise no_such(kind, object_id, param, status)
        return obj

    def ref(self, kind: str, object_id: str, param: str) -> Obj:
        """An object named in a request body; Stripe answers 400 when missing."""
        return self.get(kind, object_id, param=param, status=400)

    def find(self, object_id: str) -> Obj | None:
        kind = _TYPE_BY_PREFIX.get(object_id.split("_", 1)[0])
        if kind is not None:
            return self.tables.get(kind, {}).get(object_id)
        # Products may carry caller-chosen ids without a known prefix.
        return self.tables.get("product", {}).get(object_id)

    def all(self, kind: str) -> list[Obj]:
        return list(self.tables.get(kind, {}).values())

    def where(self, kind: str, **equal: Any) -> list[Obj]:
        return [
            obj
            for obj in self.all(kind)
            if all(obj.get(key) == value for key, value in equal.items())
        ]

    def mark(self) -> int:
        return len(self.sequence)

    def discard_since(self, mark: int) -> None:
        """Forget the objects added after `mark`, for a call that Stripe
        would refuse as a whole after having tried it."""
        for table in self.tables.values():
            for object_id in [oid for oid in table if self.sequence[oid] >= mark]:
                del table[object_id]

    def delete(self, kind: str, object_id: str) -> None:
        self.tables.get(kind, {}).pop(object_id, None)

    def sort_key(self, obj: Obj) -> tuple[int, int]:
        return (obj.get("created", 0), self.sequence[obj["id"]])
