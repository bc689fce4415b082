"""The Starlette application: HTTP in, Stripe-shaped JSON out.

Everything under /v1 goes through one handler that authenticates, decodes the
bracket-notation parameters and hands over to `dispatch`, with the account and
permissions of the key. Routes under /_sandbox are the sandbox's own, for
tests and health checks: the request log, creating accounts and restricted
keys, injected faults and Stripe's own rate limit (see faults.py).
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import string
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import auth, dispatch, forms
from .accounts import Accounts, ApiKey
from .errors import StripeError
from .faults import RATE_LIMITED, Fault, Faults, RateLimiter
from .params import validate
from .permissions import SPEC, Permissions
from .seed import load_seed
from .store import Store

logger = logging.getLogger(__name__)
_ALPHABET = string.ascii_letters + string.digits
Params = dict[str, Any]


class Sandbox:
    def __init__(self, accounts: Accounts, latency_ms: float) -> None:
        self.accounts = accounts
        self.latency = latency_ms / 1000
        # One log for the whole process; each entry names the account reached.
        self.log: list[dict[str, str | None]] = []
        self.faults = Faults()
        self.limiter = RateLimiter()

    async def stripe(self, request: Request) -> Response:
        request_id = "req_" + "".join(secrets.choice(_ALPHABET) for _ in range(14))
        headers = {"Request-Id": request_id, "Stripe-Version": auth.DEFAULT_VERSION}
        fault = None
        if request.url.path.startswith("/v1/"):
            fault = self._strike(request)
            if self.latency > 0:
                await asyncio.sleep(self.latency)
        if fault is None:
            return await self._apply(request, request_id, headers)
        headers.update(fault.headers())
        refusal = await fault.before()
        if refusal is not None:
            return _json(refusal.status, refusal.body(), headers)
        return await fault.after(await self._apply(request, request_id, headers))

    async def _apply(
        self, request: Request, request_id: str, headers: dict[str, str]
    ) -> Response:
        raw_body = (await request.body()).decode()
        try:
            outcome = self._handle(request, raw_body, request_id, headers)
        except StripeError as error:
            outcome = dispatch.Outcome(error.status, error.body())
        if outcome.replayed_from:
            headers["Idempotent-Replayed"] = "true"
        headers["Original-Request"] = outcome.replayed_from or request_id
        return _json(outcome.status, outcome.body, headers)

    def _strike(self, request: Request) -> Fault | None:
        """The fault for this request, Stripe's own limit first; logged with it."""
        account = self._account(request)
        fault: Fault | None
        if account is not None and not self.limiter.allows(account):
            fault = RATE_LIMITED
        else:
            fault = self.faults.strike(request.method, request.url.path)
        self._log(request, account, fault)
        return fault

    def _handle(
        self, request: Request, raw_body: str, request_id: str, headers: dict[str, str]
    ) -> dispatch.Outcome:
        key = self._key(request)
        headers["Stripe-Version"] = auth.api_version(
            request.headers.get("stripe-version")
        )
        method = request.method
        raw = raw_body if method == "POST" else request.url.query
        params = forms.parse(raw)
        idempotency = request.headers.get("idempotency-key")
        if idempotency:
            headers["Idempotency-Key"] = idempotency
        scoped = (key.secret, idempotency) if idempotency else None
        return dispatch.handle(
            key, method, request.url.path, params, scoped, request_id
        )

    def _key(self, request: Request) -> ApiKey:
        return self.accounts.resolve(auth.api_key(request.headers.get("authorization")))

    def _account(self, request: Request) -> str | None:
        try:
            return self._key(request).account.id
        except StripeError:
            return None  # refused before reaching any account

    def _log(self, request: Request, account: str | None, fault: Fault | None) -> None:
        self.log.append(
            {
                "method": request.method,
                "path": request.url.path,
                "query": request.url.query,
                "account": account,
                "idempotency_key": request.headers.get("idempotency-key"),
                "fault": fault.kind if fault else None,
            }
        )

    async def requests(self, request: Request) -> Response:
        if request.method == "DELETE":
            self.log.clear()
        log = list(self.log)
        return JSONResponse({"count": len(log), "requests": log})

    async def create_account(self, request: Request) -> Response:
        return await _answer(request, self._create_account)

    async def create_restricted_key(self, request: Request) -> Response:
        return await _answer(request, self._create_restricted_key)

    def _create_account(self, params: Params) -> Params:
        values = validate({"seed": ("demo", "none")}, params)
        seed = values.get("seed")
        account, secret = self.accounts.create(None if seed == "none" else seed)
        return {"id": account.id, "secret_key": secret}

    def _create_restricted_key(self, params: Params) -> Params:
        values = validate({"account": "str", "permissions": SPEC}, params)
        permissions = Permissions.of(values.get("permissions") or {})
        account = values.get("account") or self.accounts.default.id
        secret = self.accounts.restrict(account, permissions)
        return {"id": secret, "account": account, "permissions": permissions.levels}

    async def faults_route(self, request: Request) -> Response:
        if request.method == "DELETE":
            self.faults.clear()
        elif request.method == "POST":
            return await _answer(request, self._add_fault)
        return JSONResponse({"faults": self.faults.listing()})

    def _add_fault(self, params: Params) -> Params:
        self.faults.add(params)
        return {"faults": self.faults.listing()}

    async def rate_limit(self, request: Request) -> Response:
        if request.method == "DELETE":
            self.limiter.clear()
        elif request.method == "POST":
            return await _answer(request, self._limit)
        return JSONResponse({"per_second": self.limiter.per_second})

    def _limit(self, params: Params) -> Params:
        self.limiter.configure(params)
        return {"per_second": self.limiter.per_second}

    async def healthz(self, request: Request) -> Response:
        return JSONResponse({"ok": True})


def create_app(seed: str | None = "demo", latency_ms: float = 0.0) -> Starlette:
    """A fresh sandbox with its own state; `seed="demo"` loads the demo data."""
    store = Store()
    if seed not in (None, "none"):
        load_seed(store, str(seed))
    accounts = Accounts(store)
    sandbox = Sandbox(accounts, latency_ms)
    methods = ["GET", "POST", "DELETE", "PUT", "PATCH"]
    routes = [
        Route("/_sandbox/requests", sandbox.requests, methods=["GET", "DELETE"]),
        Route("/_sandbox/healthz", sandbox.healthz, methods=["GET"]),
        Route(
            "/_sandbox/faults",
            sandbox.faults_route,
            methods=["GET", "POST", "DELETE"],
        ),
        Route(
            "/_sandbox/rate_limit",
            sandbox.rate_limit,
            methods=["GET", "POST", "DELETE"],
        ),
        Route("/_sandbox/accounts", sandbox.create_account, methods=["POST"]),
        Route(
            "/_sandbox/restricted_keys",
            sandbox.create_restricted_key,
            methods=["POST"],
        ),
        Route("/{path:path}", sandbox.stripe, methods=methods),
    ]
    app = Starlette(routes=routes)
    app.state.store = store
    app.state.accounts = accounts
    return app


async def _answer(request: Request, action: Callable[[Params], Params]) -> Response:
    """Run a /_sandbox action on a form or JSON body; errors in Stripe's shape."""
    raw = (await request.body()).decode()
    try:
        body = action(_body(request.headers.get("content-type", ""), raw))
    except StripeError as error:
        return _json(error.status, error.body(), {})
    return _json(200, body, {})


def _body(content_type: str, raw: str) -> Params:
    if not content_type.startswith("application/json"):
        return forms.parse(raw)
    try:
        decoded = json.loads(raw or "{}")
    except json.JSONDecodeError:
        decoded = None
    if not isinstance(decoded, dict):
        raise StripeError(400, "Invalid JSON body: expected an object.")
    return decoded


def _json(status: int, body: dict[str, Any], headers: dict[str, str]) -> Response:
    content = json.dumps(body, indent=2)
    return Response(content, status, headers, media_type="application/json")
