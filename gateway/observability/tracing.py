"""OpenTelemetry traces: a span per GraphQL operation, through Strawberry's own
extension, and a span per Stripe call beneath it, exported over OTLP/HTTP.

Only imported when an OTLP endpoint is configured, so that a gateway without
one loads and runs nothing of OpenTelemetry.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Generator
from typing import Any

from graphql import GraphQLResolveInfo
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import SpanKind, Status, StatusCode
from strawberry.extensions import LifecycleStep, SchemaExtension
from strawberry.extensions.tracing import OpenTelemetryExtension

from gateway import __version__
from gateway.observability.logs import Redactor
from resolvers.observe import StripeCall

NOTABLE_WAIT_SECONDS = 0.001
"""Shorter waits for the rate limit are the limiter's own bookkeeping."""


class Tracing:
    """The tracer provider and what feeds it: the schema extension and the
    Stripe layer's call observer."""

    def __init__(self, endpoint: str, service_name: str, redact: Redactor) -> None:
        resource = Resource.create(
            {"service.name": service_name, "service.version": __version__}
        )
        self.provider = TracerProvider(resource=resource)
        # OTEL_EXPORTER_OTLP_ENDPOINT names the collector; each signal has a path.
        exporter = OTLPSpanExporter(endpoint=f"{endpoint.rstrip('/')}/v1/traces")
        self.provider.add_span_processor(BatchSpanProcessor(exporter))
        self.tracer = self.provider.get_tracer("gateway.stripe", __version__)
        self.redact = redact

    def extension(self) -> Callable[[], SchemaExtension]:
        return lambda: OperationTracing(
            tracer_provider=self.provider,
            arg_filter=_no_arguments,
            redact=self.redact,
        )

    def stripe_call(self, call: StripeCall) -> None:
        """A span for a call that has ended, beneath the current span (the
        resolver's that made it); no parameters, which can be personal data."""
        end = time.time_ns()
        attributes: dict[str, str | int] = {
            "http.request.method": call.method.upper(),
            "stripe.resource": call.resource,
        }
        if call.status is not None:
            attributes["http.response.status_code"] = call.status
        if call.request_id is not None:
            attributes["stripe.request_id"] = call.request_id
        span = self.tracer.start_span(
            f"Stripe {call.method.upper()} {call.resource}",
            kind=SpanKind.CLIENT,
            attributes=attributes,
            start_time=end - int(call.seconds * 1e9),
        )
        if call.status is None or call.status >= 400:
            span.set_status(Status(StatusCode.ERROR))
        span.end(end_time=end)

    def rate_limit_wait(self, seconds: float) -> None:
        """An event on the current span when a call had to wait for its turn."""
        if seconds >= NOTABLE_WAIT_SECONDS:
            trace.get_current_span().add_event(
                "stripe rate limit wait", {"seconds": seconds}
            )

    async def shutdown(self) -> None:
        """Export the spans still queued, then stop."""
        await asyncio.to_thread(self.provider.shutdown)


class OperationTracing(OpenTelemetryExtension):
    """Strawberry's spans, with the document redacted like a log line, since
    literals in it can be e-mail addresses or keys."""

    def __init__(self, *, redact: Redactor, **options: Any) -> None:
        super().__init__(**options)
        self.redact = redact

    def on_operation(self) -> Generator[None, None, None]:
        operation = super().on_operation()
        next(operation)  # the operation's span has started, with the document
        query = self.execution_context.query or ""
        span = self._span_holder[LifecycleStep.OPERATION]
        span.set_attribute("query", self.redact(query))
        yield
        next(operation, None)


def _no_arguments(
    arguments: dict[str, Any], info: GraphQLResolveInfo
) -> dict[str, Any]:
    # Resolver arguments and inputs hold names, addresses, e-mail addresses.
    return {}
