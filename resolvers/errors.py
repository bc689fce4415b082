"""The gateway's errors, each with the stable code clients see in ``extensions``.

::

    GatewayError                      INTERNAL
    ├── BadUserInput                  BAD_USER_INPUT
    │   └── IdempotencyConflict       IDEMPOTENCY_CONFLICT
    ├── NotFound                      NOT_FOUND
    ├── Unauthenticated               UNAUTHENTICATED
    │   (gateway.auth.AuthenticationFailed: a caller refused, same code)
    ├── Forbidden                     FORBIDDEN
    ├── RateLimited                   RATE_LIMITED
    └── UpstreamUnavailable           UPSTREAM_UNAVAILABLE
        └── UpstreamTimeout           UPSTREAM_TIMEOUT

Requests refused before GraphQL runs have codes of their own, answered by the
HTTP layer: ``gateway.limits.RequestRefused`` (REQUEST_TOO_LARGE,
REQUEST_TIMEOUT, BATCHING_NOT_SUPPORTED, SHUTTING_DOWN) and Strawberry's
refusals (BAD_REQUEST).

Anything raised during execution that is not a ``GatewayError`` is masked as
``INTERNAL`` before it reaches a client.
"""

from __future__ import annotations

from typing import Any


class GatewayError(Exception):
    """An error whose message is safe to show to the caller."""

    code = "INTERNAL"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extensions: dict[str, Any] = {"code": self.code, **extensions}


class BadUserInput(GatewayError):
    """The query asked for something Stripe cannot answer as asked."""

    code = "BAD_USER_INPUT"


class IdempotencyConflict(BadUserInput):
    """An idempotency key sent again with different input."""

    code = "IDEMPOTENCY_CONFLICT"


class NotFound(GatewayError):
    """The object does not exist, or not in this Stripe account."""

    code = "NOT_FOUND"


class Unauthenticated(GatewayError):
    """The gateway's Stripe key was refused."""

    code = "UNAUTHENTICATED"


class Forbidden(GatewayError):
    """The caller, or the gateway's Stripe key, lacks a permission."""

    code = "FORBIDDEN"


class RateLimited(GatewayError):
    """Stripe asked the gateway to slow down."""

    code = "RATE_LIMITED"


class UpstreamUnavailable(GatewayError):
    """Stripe could not be reached or failed on its side."""

    code = "UPSTREAM_UNAVAILABLE"


class UpstreamTimeout(UpstreamUnavailable):
    """The request's deadline passed before Stripe answered."""

    code = "UPSTREAM_TIMEOUT"
