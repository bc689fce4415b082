"""Client-side rate limits, one per Stripe account, shared by every request.

Stripe limits requests per account and answers 429 beyond the limit; queueing
calls here first turns a burst of queries into a short wait instead of errors.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict

from aiolimiter import AsyncLimiter

LIVE_KEY_PREFIXES = ("sk_live_", "rk_live_")

ACCOUNTS_MAX = 4096
"""The most accounts whose limiters are kept; the least recently used goes first."""


def limiter_key(api_key: str, account: str | None) -> str:
    """Which Stripe limit a call counts against, without naming the key itself.

    Live and test mode are limited apart, even for one account.
    """
    mode = "live" if api_key.startswith(LIVE_KEY_PREFIXES) else "test"
    if account:
        return f"{mode}:{account}"
    digest = hashlib.sha256(api_key.encode()).hexdigest()[:32]
    return f"{mode}:key:{digest}"


class AccountLimits:
    """A rate limiter for each Stripe account, sized by the key's mode."""

    def __init__(
        self,
        live_per_second: float = 100.0,
        test_per_second: float = 25.0,
        max_accounts: int = ACCOUNTS_MAX,
    ) -> None:
        self.live_per_second = live_per_second
        self.test_per_second = test_per_second
        self.max_accounts = max_accounts
        self._limiters: OrderedDict[str, AsyncLimiter] = OrderedDict()

    def limiter(self, api_key: str, account: str | None) -> AsyncLimiter:
        """The limiter of the account ``api_key`` acts on, made on first use."""
        key = limiter_key(api_key, account)
        found = self._limiters.get(key)
        if found is not None:
            self._limiters.move_to_end(key)
            return found
        made = _per_second(self._rate(api_key))
        self._limiters[key] = made
        if len(self._limiters) > self.max_accounts:
            # Calls already queued on the evicted limiter keep their place in it.
            self._limiters.popitem(last=False)
        return made

    def _rate(self, api_key: str) -> float:
        live = api_key.startswith(LIVE_KEY_PREFIXES)
        return self.live_per_second if live else self.test_per_second


def _per_second(rate: float) -> AsyncLimiter:
    # A bucket must hold at least one call; below 1/s it refills more slowly.
    capacity = max(1.0, rate)
    return AsyncLimiter(capacity, time_period=capacity / rate)
