"""Faults injected into /v1 requests, and Stripe's own per-account rate limiter.

Tests post a fault to /_sandbox/faults to make the next matching requests
fail the ways Stripe can fail: late, refused before anything is applied (a
rate limit, a lock timeout, an internal error), or applied and then never
answered (a dropped connection) or answered too late (a client timeout after
the write). A fault with a probability strikes matching requests at random,
which is how the soak spreads faults over a long run.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import asdict, dataclass
from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from .errors import ParamError, StripeError, missing_param
from .params import validate

LATENCY = "latency"
RATE_LIMIT = "rate_limit"
LOCK_TIMEOUT = "lock_timeout"
API_ERROR = "api_error"
RESET = "reset"
AFTER_APPLY_DELAY = "after_apply_delay"
KINDS = (LATENCY, RATE_LIMIT, LOCK_TIMEOUT, API_ERROR, RESET, AFTER_APPLY_DELAY)
DELAYED = (LATENCY, AFTER_APPLY_DELAY)

LOCK_TIMEOUT_MESSAGE = (
    "This object cannot be accessed right now because another API request or "
    "Stripe process is currently accessing it. If you see this error "
    "intermittently, retry the request. If you see this error frequently and are "
    "making multiple concurrent requests to a single object, make your requests "
    "serially or at a lower rate."
)
_REFUSALS = {
    RATE_LIMIT: StripeError(429, "Request rate limit exceeded.", code="rate_limit"),
    LOCK_TIMEOUT: StripeError(429, LOCK_TIMEOUT_MESSAGE, code="lock_timeout"),
    API_ERROR: StripeError(
        500,
        "An unknown error occurred while processing your request.",
        type="api_error",
    ),
}

_SPEC = {
    "kind": KINDS,
    "path_prefix": "str",
    "method": ("GET", "POST", "DELETE"),
    "count": "int",
    "probability": "decimal",
    "delay_ms": "int",
    "should_retry": "bool",
    # The first form of a fault, which only delayed an answer after a write.
    "after_apply_delay_ms": "int",
}
Params = dict[str, Any]


@dataclass
class Fault:
    """What strikes matching requests: `count` of them (None: no end), each
    with `probability` (None: every one)."""

    kind: str
    path_prefix: str = "/v1/"
    method: str | None = None
    count: int | None = 1
    probability: float | None = None
    delay_ms: int = 0
    should_retry: bool | None = None

    def matches(self, method: str, path: str) -> bool:
        wanted = self.method in (None, method)
        return wanted and path.startswith(self.path_prefix)

    async def before(self) -> StripeError | None:
        """Before the request is applied: wait, or refuse it with this error."""
        if self.kind == LATENCY:
            await asyncio.sleep(self.delay_ms / 1000)
        return _REFUSALS.get(self.kind)

    async def after(self, response: Response) -> Response:
        """Once the request is applied: answer late, or not at all."""
        if self.kind == AFTER_APPLY_DELAY:
            await asyncio.sleep(self.delay_ms / 1000)
        if self.kind == RESET:
            return DroppedResponse(response)
        return response

    def headers(self) -> dict[str, str]:
        if self.should_retry is None:
            return {}
        return {"Stripe-Should-Retry": "true" if self.should_retry else "false"}


class DroppedResponse(Response):
    """Sends the status line and headers, then nothing: the server closes the
    connection and the client reads a truncated response, as when a network
    drops a connection after Stripe applied the request."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.body, response.status_code)
        self.raw_headers = response.raw_headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        start = {"type": "http.response.start", "status": self.status_code}
        await send({**start, "headers": self.raw_headers})


# Stripe's own limiter refuses the request as an injected rate limit does.
RATE_LIMITED = Fault(RATE_LIMIT, count=None)


class Faults:
    """The faults in force, tried in the order they were added."""

    def __init__(self, rng: random.Random | None = None) -> None:
        self._faults: list[Fault] = []
        self._rng = rng or random.Random()

    def add(self, params: Params) -> Fault:
        fault = parse(params)
        self._faults.append(fault)
        return fault

    def clear(self) -> None:
        self._faults.clear()

    def listing(self) -> list[Params]:
        return [asdict(fault) for fault in self._faults]

    def strike(self, method: str, path: str) -> Fault | None:
        """The fault that strikes this request, if any; it uses up one of its count."""
        for fault in self._faults:
            if not fault.matches(method, path):
                continue
            if (
                fault.probability is not None
                and self._rng.random() >= fault.probability
            ):
                continue
            self._use(fault)
            return fault
        return None

    def _use(self, fault: Fault) -> None:
        if fault.count is None:
            return
        fault.count -= 1
        if fault.count == 0:
            self._faults.remove(fault)


class RateLimiter:
    """Stripe's per-account limit: a token bucket of `per_second` a second,
    holding at most `per_second` tokens, so a burst of that size passes."""

    def __init__(self) -> None:
        self.per_second: float | None = None
        self._buckets: dict[str, tuple[float, float]] = {}

    def configure(self, params: Params) -> None:
        values = validate({"per_second": "decimal"}, _form(params), ("per_second",))
        per_second = values["per_second"]
        if per_second <= 0:
            raise ParamError("Invalid per_second: must be above 0.", param="per_second")
        self.per_second = per_second
        self._buckets.clear()

    def clear(self) -> None:
        self.per_second = None
        self._buckets.clear()

    def allows(self, account: str) -> bool:
        """Take a token from the account's bucket, if it has one."""
        if self.per_second is None:
            return True
        now = time.monotonic()
        tokens, then = self._buckets.get(account, (self.per_second, now))
        tokens = min(self.per_second, tokens + (now - then) * self.per_second)
        allowed = tokens >= 1
        self._buckets[account] = (tokens - 1 if allowed else tokens, now)
        return allowed


def parse(params: Params) -> Fault:
    """A fault from a JSON or form body, refused in Stripe's shape when invalid."""
    values = validate(_SPEC, _form(params))
    kind = _kind(values)
    probability = values.get("probability")
    return Fault(
        kind,
        values.get("path_prefix") or "/v1/",
        values.get("method"),
        _count(values, probability),
        probability,
        _delay(kind, values),
        values.get("should_retry"),
    )


def _kind(values: Params) -> str:
    kind = values.get("kind")
    if values.get("after_apply_delay_ms") is None:
        if kind is None:
            raise missing_param("kind")
        return str(kind)
    if kind not in (None, AFTER_APPLY_DELAY):
        raise ParamError(
            "Invalid after_apply_delay_ms: only an after_apply_delay fault has one.",
            param="after_apply_delay_ms",
        )
    return AFTER_APPLY_DELAY


def _delay(kind: str, values: Params) -> int:
    delay_ms = values.get("delay_ms")
    name = "delay_ms"
    if delay_ms is None and values.get("after_apply_delay_ms") is not None:
        delay_ms, name = values["after_apply_delay_ms"], "after_apply_delay_ms"
    if delay_ms is None:
        if kind in DELAYED:
            raise missing_param("delay_ms")
        return 0
    if delay_ms < 0:
        raise ParamError(f"Invalid {name}: must be at least 0.", param=name)
    return int(delay_ms)


def _count(values: Params, probability: float | None) -> int | None:
    if probability is not None and not 0 <= probability <= 1:
        raise ParamError(
            "Invalid probability: must be between 0 and 1.", param="probability"
        )
    count = values.get("count")
    if count is None:
        # A random fault strikes for the whole run unless told otherwise.
        return None if probability is not None else 1
    if count < 1:
        raise ParamError("Invalid count: must be at least 1.", param="count")
    return int(count)


def _form(params: Params) -> Params:
    # JSON bodies carry numbers, booleans and nulls; the validator reads the
    # strings a form body carries, where an empty string means unset.
    return {key: _form_value(value) for key, value in params.items()}


def _form_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value
