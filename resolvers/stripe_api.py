"""The one place the gateway talks to Stripe, and the one place Stripe's errors
become the gateway's."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
import re
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, cast

import stripe
from aiolimiter import AsyncLimiter

from resolvers.errors import (
    BadUserInput,
    Forbidden,
    GatewayError,
    IdempotencyConflict,
    NotFound,
    RateLimited,
    Unauthenticated,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from resolvers.observe import CallObserver, NullObserver, StripeCall
from resolvers.scopes import Access, Resource, scope_name

STRIPE_API_VERSION = "2026-10-28.endive"
"""The Stripe API version every request is pinned to."""

STRIPE_PAGE_MAX = 100
"""The most objects one Stripe list call returns."""

DEFAULT_PAGE_SIZE = 10
"""Stripe's page size when a list call names none."""

LOCK_RETRY_DELAY = 0.2
"""Seconds before the first retry of a call that met a locked object."""

LOCK_RETRY_DELAY_MAX = 2.0

StripeDict = dict[str, Any]
logger = logging.getLogger(__name__)

# Keys and account ids must never reach a client, even inside Stripe's own text.
_SECRET_PATTERN = re.compile(r"\b(?:(?:sk|rk|pk)_(?:test|live)_[\w*]+|acct_\w+)")

_ID_PATTERN = re.compile(r"[A-Za-z0-9_]{3,255}")

# Stripe names a missing restricted-key permission like 'rak_customer_read'.
_PERMISSION_PATTERN = re.compile(r"'rak_([a-z_]+?)_(read|write)'")
RAK_RESOURCES: Mapping[str, Resource] = {
    "customer": Resource.CUSTOMERS,
    "charge": Resource.CHARGES,
    "refund": Resource.CHARGES,
    "payment_intent": Resource.PAYMENT_INTENTS,
    "product": Resource.PRODUCTS,
    "plan": Resource.PRICES,
    "price": Resource.PRICES,
    "invoice": Resource.INVOICES,
    "invoice_item": Resource.INVOICES,
    "subscription": Resource.SUBSCRIPTIONS,
    "subscription_item": Resource.SUBSCRIPTIONS,
}

# Stripe paths for each object type the gateway reads.
RESOURCE_PATHS: Mapping[str, str] = {
    "customer": "customers",
    "product": "products",
    "price": "prices",
    "payment_intent": "payment_intents",
    "charge": "charges",
    "refund": "refunds",
    "invoice": "invoices",
    "subscription": "subscriptions",
    "invoice_payment": "invoice_payments",
    "subscription_item": "subscription_items",
}


def make_client(
    api_key: str,
    *,
    api_base: str | None = None,
    max_network_retries: int = 2,
    http_client: stripe.HTTPClient | None = None,
) -> stripe.StripeClient:
    """Build the shared SDK client; the SDK's own retries handle transient faults.

    It carries no Connect account: each call names its tenant's own, so one
    tenant's account can never become another's default.
    """
    return stripe.StripeClient(
        api_key,
        stripe_version=STRIPE_API_VERSION,
        base_addresses={"api": api_base} if api_base else None,
        max_network_retries=max_network_retries,
        http_client=http_client or stripe.HTTPXClient(),
    )


def call_key(client_key: str, method: str, path: str) -> str:
    """The idempotency key of one Stripe call of a client's keyed mutation.

    A mutation may make several calls; each gets its own key, so one key never
    reaches two endpoints, and the same mutation replayed sends the same keys.
    """
    digest = hashlib.sha256(f"{client_key}\n{method}\n{path}".encode()).hexdigest()
    return f"gw_{digest[:48]}"


def check_id(object_id: str) -> None:
    """Refuse anything but a Stripe id before it becomes part of a URL path."""
    if not _ID_PATTERN.fullmatch(object_id):
        raise BadUserInput(f"'{object_id[:64]}' is not a Stripe id.")


def scrub(message: str) -> str:
    """Remove keys and account ids from text that came from Stripe."""
    return _SECRET_PATTERN.sub("[redacted]", message)


@dataclass
class CallStats:
    """What one GraphQL request spent on Stripe."""

    calls: int = 0
    seconds: float = 0.0
    rate_limit_seconds: float = 0.0
    """Time calls queued for their account's rate limit before they were sent."""


def deadline_after(seconds: float) -> float:
    """A deadline ``seconds`` from now on the running event loop's clock."""
    return asyncio.get_running_loop().time() + seconds


@dataclass
class StripeAPI:
    """Stripe access for one GraphQL request: bounded concurrency, counted and
    observed calls, the account's rate limit and the request's deadline."""

    client: stripe.StripeClient
    concurrency: int = 8
    api_key: str | None = field(default=None, repr=False)
    account: str | None = field(default=None, repr=False)
    limiter: AsyncLimiter | None = None
    lock_retries: int = 3
    deadline: float | None = None
    """When the request stops waiting for Stripe, on the event loop's clock."""
    observer: CallObserver = field(default_factory=NullObserver)
    stats: CallStats = field(default_factory=CallStats)

    def __post_init__(self) -> None:
        self._slots = asyncio.Semaphore(self.concurrency)

    async def retrieve(
        self, object_type: str, object_id: str, expand: Sequence[str] = ()
    ) -> StripeDict:
        """One object by id; a deleted object is as missing as one never made."""
        check_id(object_id)
        path = f"/v1/{RESOURCE_PATHS[object_type]}/{object_id}"
        found = await self.get(path, _expand_params(expand))
        if found.get("deleted"):
            raise NotFound(f"No such {object_type}: '{object_id}' (it was deleted)")
        return found

    async def get(self, path: str, params: Mapping[str, Any]) -> StripeDict:
        """GET a Stripe path and return the body as plain dicts and lists."""
        return await self._request("get", path, params)

    async def post(
        self, path: str, params: Mapping[str, Any], idempotency_key: str | None = None
    ) -> StripeDict:
        """POST to a Stripe path.

        With the client's idempotency key, the call gets a key of its own
        derived from it; without one, a fresh key; either way every retry of
        the call sends the same key, so Stripe applies the write once.
        """
        return await self._request("post", path, params, idempotency_key)

    async def delete(self, path: str, idempotency_key: str | None = None) -> StripeDict:
        return await self._request("delete", path, {}, idempotency_key)

    async def _request(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any],
        idempotency_key: str | None = None,
    ) -> StripeDict:
        options = {**self._options(), **_idempotency(method, path, idempotency_key)}
        try:
            async with asyncio.timeout_at(self.deadline):
                with translate_errors():
                    response = await self._retry_locks(method, path, params, options)
        except TimeoutError:
            raise UpstreamTimeout(
                "Stripe did not answer before the request's deadline."
            ) from None
        # The decoded JSON as it is: StripeObjects would only be turned back.
        return cast(StripeDict, response.data)

    def _options(self) -> dict[str, str]:
        """Per-tenant request options; unset ones fall back to the client's."""
        options = {"api_key": self.api_key, "stripe_account": self.account}
        return {key: value for key, value in options.items() if value}

    async def _retry_locks(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any],
        options: Mapping[str, str],
    ) -> stripe.StripeResponse:
        """Send a call again while Stripe finds its object locked by another.

        The SDK retries connection errors, 409s and 5xx itself, but no 429: a
        lock timeout is worth retrying, a rate limit is not.
        """
        arguments = {**params, **options}
        for attempt in range(self.lock_retries):
            try:
                return await self._call(method, path, arguments)
            except stripe.RateLimitError as exc:
                if not _is_lock_timeout(exc):
                    raise
            await asyncio.sleep(_lock_backoff(attempt))
        return await self._call(method, path, arguments)

    async def _call(
        self, method: str, path: str, arguments: Mapping[str, Any]
    ) -> stripe.StripeResponse:
        """One call as the SDK makes it, its network retries included, once the
        request's concurrency and the account's rate limit let it go."""
        async with self._slots:
            await self._wait_for_rate_limit()
            started = time.perf_counter()
            self.stats.calls += 1
            status: int | None = None
            request_id: str | None = None
            try:
                response = await self.client.raw_request_async(
                    method, path, **arguments
                )
                status, request_id = response.code, response.request_id
                return response
            except stripe.StripeError as exc:
                status, request_id = exc.http_status, exc.request_id
                raise
            finally:
                seconds = time.perf_counter() - started
                resource = resource_of(path)
                self._observe(
                    StripeCall(method.upper(), resource, status, seconds, request_id)
                )

    async def _wait_for_rate_limit(self) -> None:
        if self.limiter is None:
            return
        started = time.perf_counter()
        try:
            await self.limiter.acquire()
        finally:
            # Counted even when the deadline cancels the wait: it was spent.
            waited = time.perf_counter() - started
            self.stats.rate_limit_seconds += waited
            self.observer.rate_limit_wait(waited)

    def _observe(self, call: StripeCall) -> None:
        self.stats.seconds += call.seconds
        # The resource only: paths hold ids and params can hold e-mail addresses.
        logger.debug(
            "stripe call %s %s status=%s request_id=%s %.1fms",
            call.method,
            call.resource,
            call.status,
            call.request_id,
            call.seconds * 1000,
        )
        self.observer.stripe_call(call)


def resource_of(path: str) -> str:
    """The first segment of a Stripe path after the version, such as ``customers``."""
    segments = path.split("?", 1)[0].strip("/").split("/")
    return segments[1] if len(segments) > 1 else segments[0]


def _idempotency(method: str, path: str, client_key: str | None) -> dict[str, str]:
    """The key of one logical call, kept by every retry of it.

    The SDK would make a fresh key for each attempt it is handed, so a write
    retried after a lock timeout could be applied twice.
    """
    if client_key is not None:
        return {"idempotency_key": call_key(client_key, method, path)}
    if method == "post":
        return {"idempotency_key": f"gw_{uuid.uuid4().hex}"}
    return {}


def _is_lock_timeout(exc: stripe.StripeError) -> bool:
    # The SDK keeps a 429's code only in the error object it carries.
    return exc.error is not None and exc.error.code == "lock_timeout"


def _lock_backoff(attempt: int) -> float:
    """Exponential backoff with jitter, so writers contending for one lock part."""
    delay = min(LOCK_RETRY_DELAY_MAX, LOCK_RETRY_DELAY * 2**attempt)
    return delay + random.uniform(0, LOCK_RETRY_DELAY)


def _expand_params(expand: Sequence[str]) -> dict[str, Any]:
    return {"expand": list(expand)} if expand else {}


@contextmanager
def translate_errors() -> Iterator[None]:
    """Turn a Stripe SDK error into the gateway's error with a stable code."""
    try:
        yield
    except stripe.StripeError as exc:
        raise _translate(exc) from None
    except UnicodeEncodeError:
        # JSON lets a client send a lone surrogate, which the SDK cannot
        # encode into a form body; nothing was sent.
        raise BadUserInput("A text value is not valid Unicode.") from None


def _translate(exc: stripe.StripeError) -> GatewayError:
    message = scrub(exc.user_message or "Stripe refused the request.")
    if isinstance(exc, stripe.AuthenticationError):
        return Unauthenticated("Stripe rejected the gateway's API key.")
    if isinstance(exc, stripe.PermissionError):
        return _forbidden(exc.user_message or "", message)
    if isinstance(exc, stripe.RateLimitError) and _is_lock_timeout(exc):
        return RateLimited(
            "A Stripe object stayed locked by another request; retry shortly."
        )
    if isinstance(exc, stripe.RateLimitError):
        return RateLimited("Stripe's rate limit was reached; retry shortly.")
    if isinstance(exc, stripe.IdempotencyError):
        return IdempotencyConflict(
            "This idempotency key was used with different input; use a new key."
        )
    if isinstance(exc, stripe.InvalidRequestError | stripe.CardError):
        return _invalid_request(exc, message)
    return UpstreamUnavailable("Stripe is unavailable; retry shortly.")


def _forbidden(stripe_message: str, scrubbed: str) -> GatewayError:
    """A missing key permission, named as the gateway's scope when Stripe says which."""
    match = _PERMISSION_PATTERN.search(stripe_message)
    resource = RAK_RESOURCES.get(match.group(1)) if match else None
    if match is None or resource is None:
        return Forbidden(scrubbed)
    scope = scope_name(resource, Access[match.group(2).upper()])
    return Forbidden(
        f"The tenant's Stripe key lacks the permission for {scope}.",
        requiredScope=scope,
    )


def _invalid_request(exc: stripe.StripeError, message: str) -> GatewayError:
    param = getattr(exc, "param", None)
    if param in ("starting_after", "ending_before"):
        return BadUserInput("The cursor is not an object of this list.")
    if exc.http_status == 404 or exc.code == "resource_missing":
        return NotFound(message)
    details = {"stripeCode": exc.code, "param": param}
    if exc.error is not None and exc.error.decline_code:
        details["declineCode"] = exc.error.decline_code
    if exc.error is not None and exc.error.payment_intent:
        # The intent a failed payment left behind, for the payload to show.
        details["paymentIntent"] = exc.error.payment_intent.id
    return BadUserInput(message, **{k: v for k, v in details.items() if v})
