"""The route table: every Stripe endpoint the sandbox answers."""

from __future__ import annotations

import re

from . import catalog, customers, invoices, payments, subscriptions
from .base import Call, Endpoint

__all__ = ["Call", "Endpoint", "match"]

ENDPOINTS: list[Endpoint] = [
    *customers.ENDPOINTS,
    *catalog.ENDPOINTS,
    *payments.ENDPOINTS,
    *invoices.ENDPOINTS,
    *subscriptions.ENDPOINTS,
]


def _compile(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path) + "$")


_ROUTES = [(endpoint, _compile(endpoint.path)) for endpoint in ENDPOINTS]


def match(method: str, path: str) -> tuple[Endpoint, dict[str, str]] | None:
    for endpoint, pattern in _ROUTES:
        found = pattern.match(path)
        if found and endpoint.method == method:
            return endpoint, found.groupdict()
    return None
