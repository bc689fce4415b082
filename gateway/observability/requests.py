"""One log line and the metrics of each HTTP request, with what the GraphQL
layer learned while answering it: operation, tenant, Stripe calls, errors."""

from __future__ import annotations

import logging
import re
import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension

from gateway.observability.metrics import GatewayMetrics
from resolvers.context import RequestContext

logger = logging.getLogger("gateway.access")

CLIENT_CLOSED_REQUEST = 499

_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,99}")


@dataclass
class RequestRecord:
    """What the GraphQL layer tells about the request being answered."""

    graphql: bool = False
    """Whether an operation reached the schema (it may still have failed)."""
    operation_name: str | None = None
    operation_type: str | None = None
    tenant_id: str | None = None
    stripe_calls: int | None = None
    error_codes: list[str] = field(default_factory=list)
    """The distinct ``extensions.code`` values of the response's errors."""

    def fields(self) -> dict[str, Any]:
        if not self.graphql:
            return {}
        return {
            "operation_name": self.operation_name,
            "operation_type": self.operation_type,
            "tenant_id": self.tenant_id,
            "stripe_calls": self.stripe_calls,
            "error_codes": self.error_codes,
        }


# Schema extensions see no HTTP request: the middleware leaves the record here,
# and the execution, in the same task or one it starts, finds it.
_current_record: ContextVar[RequestRecord | None] = ContextVar(
    "current_request_record", default=None
)


class OperationRecorder(SchemaExtension):
    """Fills the current request's record from the operation it ran."""

    def get_results(self) -> dict[str, Any]:
        # The last hook of an operation, and the only one that sees its errors
        # final: masked, or refused before execution.
        record = _current_record.get()
        if record is not None:
            self._fill(record)
        return {}

    def _fill(self, record: RequestRecord) -> None:
        execution = self.execution_context
        name = execution.operation_name
        record.graphql = True
        record.operation_name = name if name and _NAME.fullmatch(name) else None
        record.operation_type = self._operation_type()
        codes = [
            str((error.extensions or {}).get("code", "INTERNAL"))
            for error in execution.pre_execution_errors or []
        ]
        record.error_codes = list(dict.fromkeys(codes))  # each once, in order
        if isinstance(execution.context, RequestContext):
            record.tenant_id = execution.context.principal.tenant_id
            record.stripe_calls = execution.context.api.stats.calls

    def _operation_type(self) -> str | None:
        try:
            return self.execution_context.operation_type.value
        except RuntimeError:  # the document did not parse
            return None


class RequestTelemetry:
    """ASGI middleware: a log line for every HTTP request, the in-flight gauge,
    and the GraphQL request metrics."""

    def __init__(
        self, app: ASGIApp, metrics: GatewayMetrics, graphql_path: str = "/graphql"
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.graphql_path = graphql_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        record = RequestRecord()
        reset = _current_record.set(record)
        started = time.perf_counter()
        # Without a response: 499 if the client left first (nginx's "client
        # closed request"), 500 if the application failed.
        status = CLIENT_CLOSED_REQUEST

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            with self.metrics.in_flight.track_inprogress():
                await self.app(scope, receive, send_and_note)
        except BaseException:
            if status == CLIENT_CLOSED_REQUEST:
                status = 500
            raise
        finally:
            _current_record.reset(reset)
            self._record(scope, status, time.perf_counter() - started, record)

    def _record(
        self, scope: Scope, status: int, seconds: float, record: RequestRecord
    ) -> None:
        if scope["path"] == self.graphql_path:
            self.metrics.graphql_request(
                record.operation_name,
                record.operation_type,
                status,
                record.error_codes,
                seconds,
            )
        log_request(scope, status, seconds, record)


def log_request(
    scope: Scope, status: int, seconds: float, record: RequestRecord
) -> None:
    """The request's line; its path without the query string, which can hold
    e-mail addresses, and without control characters, which could forge lines."""
    method = scope["method"]
    path = scope["path"]
    if not path.isprintable():
        path = "".join(c if c.isprintable() else "?" for c in path)
    fields = {
        "method": method,
        "path": path,
        "status": status,
        "duration_ms": round(seconds * 1000, 1),
        **record.fields(),
    }
    logger.info("%s %s %d", method, path, status, extra=fields)
