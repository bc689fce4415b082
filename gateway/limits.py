"""What one HTTP request may send: its size, how long it may take to arrive,
and one GraphQL operation at a time.

``RequestLimits`` is ASGI middleware that reads the body under a size cap and
a deadline before the application sees it. ``head_deadline_protocol`` makes
uvicorn close a connection whose request head does not arrive in time, which
no ASGI middleware can see.
"""

from __future__ import annotations

import asyncio
import logging

import h11
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from gateway.responses import error_response
from resolvers.errors import GatewayError

logger = logging.getLogger(__name__)


class RequestRefused(GatewayError):
    """A request refused before GraphQL sees it, answered with ``status``."""

    status = 400

    def response(self) -> Response:
        """The refusal; the connection then closes, so that the rest of an
        unread body is never read."""
        headers = {"Connection": "close"}
        return error_response(self.status, self.message, self.extensions, headers)


class RequestTooLarge(RequestRefused):
    code = "REQUEST_TOO_LARGE"
    status = 413

    def __init__(self, limit: int) -> None:
        super().__init__(f"The request body exceeds {limit} bytes.", maxBytes=limit)


class RequestTimeout(RequestRefused):
    code = "REQUEST_TIMEOUT"
    status = 408

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"The request body did not arrive within {seconds:g} seconds.",
            timeoutSeconds=seconds,
        )


class BatchingNotSupported(RequestRefused):
    code = "BATCHING_NOT_SUPPORTED"

    def __init__(self) -> None:
        super().__init__(
            "Batched requests (a JSON array) are not supported; "
            "send one operation per request."
        )


class ShuttingDown(RequestRefused):
    code = "SHUTTING_DOWN"
    status = 503

    def __init__(self) -> None:
        super().__init__(
            "The gateway stopped before this request finished; send it again."
        )


class RequestLimits:
    """Reads each request body whole, at most ``max_body_bytes`` of it within
    ``body_timeout`` seconds, then hands it to the application.

    GraphQL bodies are small and the view reads them whole anyway, so buffering
    here costs nothing and lets every refusal happen before any work starts.
    """

    def __init__(
        self,
        app: ASGIApp,
        max_body_bytes: int,
        body_timeout: float,
        graphql_path: str = "/graphql",
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.body_timeout = body_timeout
        self.graphql_path = graphql_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        try:
            body = await self._read_body(scope, receive)
            if body is None:
                return  # the client left; there is no one to answer
            self._refuse_batches(scope, body)
        except RequestRefused as refusal:
            await refusal.response()(scope, receive, send)
            return

        await _unless_cancelled(self.app, scope, _replay(body, receive), send)

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes | None:
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            raise RequestTooLarge(self.max_body_bytes)

        chunks: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(self.body_timeout):
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return None
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size > self.max_body_bytes:
                        raise RequestTooLarge(self.max_body_bytes)
                    chunks.append(chunk)
                    if not message.get("more_body", False):
                        return b"".join(chunks)
        except TimeoutError:
            raise RequestTimeout(self.body_timeout) from None

    def _refuse_batches(self, scope: Scope, body: bytes) -> None:
        # Strawberry refuses a batch too, but in plain text and without a code.
        if scope["path"] != self.graphql_path or scope["method"] != "POST":
            return
        content_type = Headers(scope=scope).get("content-type", "")
        if "json" in content_type and body.lstrip()[:1] == b"[":
            raise BatchingNotSupported()


async def _unless_cancelled(
    app: ASGIApp, scope: Scope, receive: Receive, send: Send
) -> None:
    """Run the app; if the server cancels it (past the shutdown timeout), answer
    503 so that the client knows to retry, where the server would answer 500."""
    started = False

    async def send_and_note(message: Message) -> None:
        nonlocal started
        started = started or message["type"] == "http.response.start"
        await send(message)

    try:
        await app(scope, receive, send_and_note)
    except asyncio.CancelledError:
        if started:
            raise
        logger.warning("a request was cancelled at shutdown; answered 503")
        # The task ends here either way; it ends having answered.
        await ShuttingDown().response()(scope, receive, send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that yields the body read already, then waits on the
    client as before, so that disconnects still reach the application."""
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if delivered:
            return await receive()
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


class RequestHeadDeadline(H11Protocol):
    """uvicorn's h11 protocol, closing connections that are slow to send a
    request head.

    uvicorn bounds only the idle time between requests (its keep-alive
    timeout, cancelled by the first byte received), so a client sending its
    headers a byte at a time holds a connection for ever. The timer runs from
    the moment the connection waits for a request head, and stops once h11 has
    parsed one; the body then has ``RequestLimits``' deadline.
    """

    head_timeout = 10.0
    _head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._watch_head()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._watch_head()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._watch_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_timer()
        super().connection_lost(exc)

    def _watch_head(self) -> None:
        waiting = self.conn.their_state is h11.IDLE and not self.transport.is_closing()
        if not waiting:
            self._stop_head_timer()
        elif self._head_timer is None:
            self._head_timer = self.loop.call_later(
                self.head_timeout, self._head_too_slow
            )

    def _stop_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_too_slow(self) -> None:
        self._head_timer = None
        if self.transport.is_closing():
            return
        logger.info(
            "closed a connection with no complete request head in %g s",
            self.head_timeout,
        )
        self.transport.close()


def head_deadline_protocol(seconds: float) -> type[RequestHeadDeadline]:
    """The protocol class to pass to uvicorn as ``http=``.

    Passing a class also pins h11: uvicorn would otherwise pick httptools when
    installed, whose protocol has the same gap.
    """
    return type(
        "HeadDeadlineProtocol", (RequestHeadDeadline,), {"head_timeout": seconds}
    )
