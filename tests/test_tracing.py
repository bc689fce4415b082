"""Traces of a running gateway, as an OTLP/HTTP collector receives them: a span
per operation, spans for its resolvers, and a span per Stripe call beneath."""

from __future__ import annotations

import gzip
import inspect
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span

from resolvers.stripe_api import StripeAPI
from tests.observed import gateway_env
from tests.sandbox_server import SandboxProcess
from tests.servers import start_gateway

SERVICE_NAME = "gateway-under-test"

TRACED_QUERY = """
query TracedCustomers {
  customers(email: "ada.lovelace@example.com") { nodes { id } }
  products(first: 1) { nodes { id } }
}
"""

stripe_calls_observed = pytest.mark.skipif(
    "observer" not in inspect.signature(StripeAPI).parameters,
    reason="the Stripe layer reports no calls to an observer on this branch",
)


class OtlpReceiver:
    """A collector's OTLP/HTTP traces endpoint on loopback, keeping each span."""

    def __init__(self) -> None:
        self.spans: list[Span] = []
        self.services: set[str] = set()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    def receive(self, body: bytes) -> None:
        request = ExportTraceServiceRequest.FromString(body)
        for resource_spans in request.resource_spans:
            resource = attributes(resource_spans.resource.attributes)
            self.services.add(str(resource["service.name"]))
            for scope_spans in resource_spans.scope_spans:
                self.spans.extend(scope_spans.spans)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                if self.path != "/v1/traces":
                    self.send_error(404)
                    return
                receiver.receive(body)
                answer = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


def attributes(pairs: Iterator[KeyValue] | Any) -> dict[str, object]:
    values: dict[str, object] = {}
    for pair in pairs:
        kind = pair.value.WhichOneof("value")
        values[pair.key] = getattr(pair.value, kind) if kind else None
    return values


@dataclass
class Exported:
    """What a gateway exported while it ran one operation and then stopped."""

    spans: list[Span]
    services: set[str]

    def named(self, name: str) -> list[Span]:
        return [span for span in self.spans if span.name == name]

    def ancestors(self, span: Span) -> list[Span]:
        by_id = {s.span_id: s for s in self.spans}
        chain = []
        while span.parent_span_id in by_id:
            span = by_id[span.parent_span_id]
            chain.append(span)
        return chain


@pytest.fixture(scope="module")
def exported(sandbox: SandboxProcess) -> Iterator[Exported]:
    receiver = OtlpReceiver()
    env = gateway_env(
        sandbox,
        OTEL_EXPORTER_OTLP_ENDPOINT=receiver.url,
        OTEL_SERVICE_NAME=SERVICE_NAME,
    )
    gateway = start_gateway(env)
    try:
        response = httpx.post(f"{gateway.url}/graphql", json={"query": TRACED_QUERY})
        assert response.status_code == 200 and "errors" not in response.json()
    finally:
        gateway.stop()  # spans still queued are exported as it stops
    receiver.stop()
    yield Exported(receiver.spans, receiver.services)


def test_an_operation_is_a_server_span_with_its_document_redacted(
    exported: Exported,
) -> None:
    [operation] = exported.named("GraphQL Query: TracedCustomers")

    assert operation.kind == Span.SPAN_KIND_SERVER
    assert exported.services == {SERVICE_NAME}
    document = str(attributes(operation.attributes)["query"])
    assert 'customers(email: "[email]")' in document
    assert "lovelace" not in document


def test_resolvers_are_spans_beneath_the_operation_without_arguments(
    exported: Exported,
) -> None:
    [operation] = exported.named("GraphQL Query: TracedCustomers")
    [customers] = exported.named("GraphQL Resolving: customers")

    assert customers.trace_id == operation.trace_id
    assert customers.parent_span_id == operation.span_id
    assert not [key for key in attributes(customers.attributes) if "param" in key]


@stripe_calls_observed
def test_each_stripe_call_is_a_client_span_beneath_its_resolver(
    exported: Exported,
) -> None:
    [operation] = exported.named("GraphQL Query: TracedCustomers")
    [customers] = exported.named("Stripe GET customers")
    [products] = exported.named("Stripe GET products")

    for call, resolver in ((customers, "customers"), (products, "products")):
        assert call.kind == Span.SPAN_KIND_CLIENT
        parents = exported.ancestors(call)
        assert parents[0].name == f"GraphQL Resolving: {resolver}"
        assert parents[-1] == operation
        assert call.start_time_unix_nano <= call.end_time_unix_nano
        tags = attributes(call.attributes)
        assert tags["http.request.method"] == "GET"
        assert tags["http.response.status_code"] == 200
        assert str(tags["stripe.request_id"]).startswith("req_")
        # No parameters, no query string: they can carry e-mail addresses.
        assert not [v for v in tags.values() if "?" in str(v) or "@" in str(v)]


def test_without_an_endpoint_nothing_of_opentelemetry_is_loaded() -> None:
    program = """
import sys
import stripe
from gateway.app import Upstream, build_app
from gateway.config import load_settings
from resolvers.stripe_api import make_client

http = stripe.HTTPXClient()
client = make_client("sk_test_unused0000", http_client=http)
build_app(load_settings(), Upstream(client, http, "stripe"))
print(sorted(m for m in sys.modules if m.startswith("opentelemetry")))
"""
    env = {"GATEWAY_DATABASE_URL": "sqlite+aiosqlite:///:memory:"}
    loaded = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )

    assert loaded.stdout.strip() == "[]"
