"""The Starlette application: HTTP in, Stripe-shaped JSON out.

Everything under /v1 goes through one handler that authenticates, decodes the
bracket-notation parameters and hands over to `dispatch`. Routes under
/_sandbox are the sandbox's own, for tests and health checks.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import string
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import auth, dispatch, forms
from .errors import StripeError
from .seed import load_seed
from .store import Store

logger = logging.getLogger(__name__)
_ALPHABET = string.ascii_letters + string.digits


class Sandbox:
    def __init__(self, store: Store, latency_ms: float) -> None:
        self.store = store
        self.latency = latency_ms / 1000

    async def stripe(self, request: Request) -> Response:
        request_id = "req_" + "".join(secrets.choice(_ALPHABET) for _ in range(14))
        if request.url.path.startswith("/v1/"):
            self._log(request)
            if self.latency > 0:
                await asyncio.sleep(self.latency)
        raw_body = (await request.body()).decode()
        headers = {"Request-Id": request_id, "Stripe-Version": auth.DEFAULT_VERSION}
        try:
            outcome = self._handle(request, raw_body, request_id, headers)
        except StripeError as error:
            outcome = dispatch.Outcome(error.status, error.body())
        if outcome.replayed_from:
            headers["Idempotent-Replayed"] = "true"
        headers["Original-Request"] = outcome.replayed_from or request_id
        return _json(outcome.status, outcome.body, headers)

    def _handle(
        self, request: Request, raw_body: str, request_id: str, headers: dict[str, str]
    ) -> dispatch.Outcome:
        key = auth.api_key(request.headers.get("authorization"))
        headers["Stripe-Version"] = auth.api_version(
            request.headers.get("stripe-version")
        )
        method = request.method
        raw = raw_body if method == "POST" else request.url.query
        params = forms.parse(raw)
        idempotency = request.headers.get("idempotency-key")
        if idempotency:
            headers["Idempotency-Key"] = idempotency
        scoped = (key, idempotency) if idempotency else None
        return dispatch.handle(
            self.store, method, request.url.path, params, scoped, request_id
        )

    def _log(self, request: Request) -> None:
        self.store.requests.append(
            {
                "method": request.method,
                "path": request.url.path,
                "query": request.url.query,
            }
        )

    async def requests(self, request: Request) -> Response:
        if request.method == "DELETE":
            self.store.requests.clear()
        log = list(self.store.requests)
        return JSONResponse({"count": len(log), "requests": log})

    async def healthz(self, request: Request) -> Response:
        return JSONResponse({"ok": True})


def create_app(seed: str | None = "demo", latency_ms: float = 0.0) -> Starlette:
    """A fresh sandbox with its own state; `seed="demo"` loads the demo data."""
    store = Store()
    if seed not in (None, "none"):
        load_seed(store, str(seed))
    sandbox = Sandbox(store, latency_ms)
    methods = ["GET", "POST", "DELETE", "PUT", "PATCH"]
    routes = [
        Route("/_sandbox/requests", sandbox.requests, methods=["GET", "DELETE"]),
        Route("/_sandbox/healthz", sandbox.healthz, methods=["GET"]),
        Route("/{path:path}", sandbox.stripe, methods=methods),
    ]
    app = Starlette(routes=routes)
    app.state.store = store
    return app


def _json(status: int, body: dict[str, Any], headers: dict[str, str]) -> Response:
    content = json.dumps(body, indent=2)
    return Response(content, status, headers, media_type="application/json")
