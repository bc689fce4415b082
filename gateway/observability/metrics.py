"""Prometheus metrics in a registry of the gateway's own, and where they are served.

Label values come from clients (operation names) or from the Stripe layer;
each is checked against a short pattern and bounded, so that no caller can
grow the number of series without end.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from prometheus_client import (
    GC_COLLECTOR,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    make_asgi_app,
    start_http_server,
)
from starlette.routing import Route

from gateway.admin.auth import RequireAdminToken
from resolvers.observe import StripeCall

OPERATION_NAMES_MAX = 200
"""The most operation names counted apart; later new names count as ``other``."""

_OPERATION_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")
_ERROR_CODE = re.compile(r"[A-Z][A-Z_]{0,39}")
_RESOURCE = re.compile(r"[a-z][a-z_]{0,39}")

# From a cached read to a request at the overall timeout.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
WAIT_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class OperationNames:
    """Operation names as labels: well formed, and no more than a bounded few."""

    def __init__(self, limit: int = OPERATION_NAMES_MAX) -> None:
        self.limit = limit
        self.seen: set[str] = set()
        self._lock = threading.Lock()

    def label(self, name: str | None) -> str:
        if not name:
            return "anonymous"
        if not _OPERATION_NAME.fullmatch(name):
            return "other"
        with self._lock:
            if name not in self.seen and len(self.seen) >= self.limit:
                return "other"
            self.seen.add(name)
        return name


def outcome(status: int, error_codes: list[str]) -> str:
    """``ok``, the first error's code, or the HTTP status of a refused request."""
    if status != 200:
        return str(status)
    if not error_codes:
        return "ok"
    code = error_codes[0]
    return code if _ERROR_CODE.fullmatch(code) else "other"


class GatewayMetrics:
    """Every metric the gateway exports, in a registry of its own.

    It is the Stripe layer's call observer too, for the Stripe metrics.
    """

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        self.registry.register(GC_COLLECTOR)
        self.operation_names = OperationNames()
        self._define_request_metrics()
        self._define_stripe_metrics()

    def _define_request_metrics(self) -> None:
        self.requests = Counter(
            "gateway_graphql_requests",
            "GraphQL requests by operation name and outcome (ok, an error code, "
            "or the HTTP status of a request refused before execution).",
            ["operation", "outcome"],
            registry=self.registry,
        )
        self.request_seconds = Histogram(
            "gateway_graphql_request_duration_seconds",
            "Time to answer a GraphQL request, by operation type.",
            ["operation_type"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.in_flight = Gauge(
            "gateway_http_requests_in_flight",
            "HTTP requests being answered.",
            registry=self.registry,
        )

    def _define_stripe_metrics(self) -> None:
        self.stripe_calls = Counter(
            "gateway_stripe_calls",
            "Stripe API calls by resource and HTTP status (none: no response).",
            ["resource", "status"],
            registry=self.registry,
        )
        self.stripe_seconds = Histogram(
            "gateway_stripe_call_duration_seconds",
            "Time of one Stripe API call, the SDK's retries included.",
            ["resource"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.rate_limit_seconds = Histogram(
            "gateway_stripe_rate_limit_wait_seconds",
            "Time a Stripe call waited for its account's rate limit.",
            buckets=WAIT_BUCKETS,
            registry=self.registry,
        )

    def graphql_request(
        self,
        operation: str | None,
        operation_type: str | None,
        status: int,
        error_codes: list[str],
        seconds: float,
    ) -> None:
        """Count a request to the GraphQL endpoint; ``operation_type`` is None
        when none ran (refused, or GraphiQL)."""
        name = self.operation_names.label(operation) if operation_type else "none"
        self.requests.labels(name, outcome(status, error_codes)).inc()
        self.request_seconds.labels(operation_type or "none").observe(seconds)

    def stripe_call(self, call: StripeCall) -> None:
        resource = call.resource if _RESOURCE.fullmatch(call.resource) else "other"
        status = "none" if call.status is None else str(call.status)
        self.stripe_calls.labels(resource, status).inc()
        self.stripe_seconds.labels(resource).observe(call.seconds)

    def rate_limit_wait(self, seconds: float) -> None:
        self.rate_limit_seconds.observe(seconds)


def metrics_route(registry: CollectorRegistry, admin_token: str) -> Route:
    """``/metrics`` on the gateway's own port, for the admin token's holder only."""
    return Route("/metrics", RequireAdminToken(make_asgi_app(registry), admin_token))


@asynccontextmanager
async def metrics_server(
    registry: CollectorRegistry, host: str, port: int
) -> AsyncIterator[None]:
    """Serve the metrics on a port of their own while the context lasts.

    prometheus-client's server runs in a thread of its own, and stops with
    ``shutdown``: unlike a second uvicorn, it leaves the signals to the gateway.
    """
    server, thread = start_http_server(port, addr=host, registry=registry)
    try:
        yield
    finally:
        await asyncio.to_thread(server.shutdown)
        server.server_close()
        thread.join()
