"""What the Stripe layer tells operators about each call, without depending on
how they collect it: metrics, traces and debug logs all implement this."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class StripeCall:
    """One HTTP exchange with Stripe, retries by the SDK included."""

    method: str
    resource: str
    """The first path segment after /v1, such as ``customers``."""
    status: int | None
    """Stripe's HTTP status; None when no response came (connection, timeout)."""
    seconds: float
    request_id: str | None


class CallObserver(Protocol):
    def stripe_call(self, call: StripeCall) -> None:
        """Called once a Stripe call has ended, in the task that made it."""

    def rate_limit_wait(self, seconds: float) -> None:
        """Called with the time a call queued for its account's rate limit."""


class NullObserver:
    """Observes nothing: for tools and tests that run without telemetry."""

    def stripe_call(self, call: StripeCall) -> None:
        pass

    def rate_limit_wait(self, seconds: float) -> None:
        pass
