"""What operators see of the gateway: a log line per request, Prometheus metrics
and, with an OTLP endpoint, traces; built once from the settings."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from starlette.middleware import Middleware
from starlette.routing import BaseRoute

from gateway.config import Settings
from gateway.observability.logs import Redactor, configure_logging, configured_secrets
from gateway.observability.metrics import GatewayMetrics, metrics_route, metrics_server
from gateway.observability.requests import OperationRecorder, RequestTelemetry
from resolvers.observe import CallObserver, StripeCall
from schema import ExtensionFactory

if TYPE_CHECKING:
    from gateway.observability.tracing import Tracing

__all__ = ["CallObservers", "Telemetry", "configure_logging"]


@dataclass(frozen=True)
class CallObservers:
    """Tells each of several observers of every Stripe call."""

    observers: Sequence[CallObserver]

    def stripe_call(self, call: StripeCall) -> None:
        for observer in self.observers:
            observer.stripe_call(call)

    def rate_limit_wait(self, seconds: float) -> None:
        for observer in self.observers:
            observer.rate_limit_wait(seconds)


@dataclass
class Telemetry:
    """Metrics, and traces when configured, with the pieces of the app that
    feed and serve them."""

    metrics: GatewayMetrics = field(default_factory=GatewayMetrics)
    tracing: Tracing | None = None
    admin_token: str | None = field(default=None, repr=False)
    metrics_host: str = "127.0.0.1"
    metrics_port: int | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Telemetry:
        token = settings.gateway_admin_token
        return cls(
            tracing=_tracing(settings),
            admin_token=token.get_secret_value() if token else None,
            metrics_host=settings.gateway_host,
            metrics_port=settings.gateway_metrics_port,
        )

    def observers(self) -> list[CallObserver]:
        """The Stripe layer's observers: metrics, and spans when tracing."""
        return [self.metrics, *([self.tracing] if self.tracing else [])]

    def schema_extensions(self) -> list[ExtensionFactory]:
        tracing = [self.tracing.extension()] if self.tracing else []
        return [OperationRecorder, *tracing]

    def middleware(self) -> Middleware:
        return Middleware(RequestTelemetry, metrics=self.metrics)

    def routes(self) -> list[BaseRoute]:
        """``/metrics`` for the admin token, unless served on a port of its own;
        without an admin token, nobody may read them there."""
        if self.metrics_port is not None or self.admin_token is None:
            return []
        return [metrics_route(self.metrics.registry, self.admin_token)]

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """The metrics port while serving; queued spans exported at the end."""
        async with AsyncExitStack() as stack:
            if self.tracing is not None:
                stack.push_async_callback(self.tracing.shutdown)
            if self.metrics_port is not None:
                await stack.enter_async_context(
                    metrics_server(
                        self.metrics.registry, self.metrics_host, self.metrics_port
                    )
                )
            yield


def _tracing(settings: Settings) -> Tracing | None:
    if settings.otel_exporter_otlp_endpoint is None:
        return None
    # Imported here: without an endpoint, nothing of OpenTelemetry is loaded.
    from gateway.observability.tracing import Tracing

    return Tracing(
        str(settings.otel_exporter_otlp_endpoint),
        settings.otel_service_name,
        Redactor(configured_secrets(settings)),
    )
