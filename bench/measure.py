"""Running one variant of a query: its Stripe calls and its wall time."""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from bench.handwritten import HANDWRITTEN, Data, StripeByHand
from bench.queries import Query

Run = Callable[[], Awaitable[Data]]


@dataclass(frozen=True)
class Measurement:
    """Stripe calls and wall times of one variant of one query."""

    calls: int
    """Stripe calls of the warm-up run, as the sandbox logged them."""
    calls_per_run: tuple[int, ...]
    """The same count for each timed run; all equal unless planning varies."""
    wall_ms: tuple[float, ...]

    @property
    def median_ms(self) -> float:
        return statistics.median(self.wall_ms)

    @property
    def steady(self) -> bool:
        return all(calls == self.calls for calls in self.calls_per_run)


class SandboxLog:
    """The sandbox's log of the Stripe calls it served."""

    def __init__(self, http: httpx.AsyncClient, sandbox_url: str) -> None:
        self.http = http
        self.url = f"{sandbox_url}/_sandbox/requests"

    async def reset(self) -> None:
        (await self.http.delete(self.url)).raise_for_status()

    async def count(self) -> int:
        response = await self.http.get(self.url)
        response.raise_for_status()
        return int(response.json()["count"])


async def measure(run: Run, log: SandboxLog, runs: int) -> tuple[Measurement, Data]:
    """A warm-up run, whose calls are counted, then ``runs`` timed runs.

    The log is reset before every run and read after it, outside the timing.
    Returns the measurement and the warm-up run's data.
    """
    await log.reset()
    data = await run()
    calls = await log.count()
    wall_ms, calls_per_run = [], []
    for _ in range(runs):
        await log.reset()
        started = time.perf_counter()
        await run()
        wall_ms.append((time.perf_counter() - started) * 1000)
        calls_per_run.append(await log.count())
    return Measurement(calls, tuple(calls_per_run), tuple(wall_ms)), data


class QueryFailed(RuntimeError):
    """A gateway answered a canonical query with errors."""


def through_gateway(http: httpx.AsyncClient, gateway_url: str, query: Query) -> Run:
    """Send ``query`` to a gateway; its data, or ``QueryFailed``."""
    payload: dict[str, Any] = {"query": query.document, "variables": query.variables}

    async def run() -> Data:
        response = await http.post(f"{gateway_url}/graphql", json=payload)
        body = response.json()
        if response.status_code != 200 or body.get("errors"):
            raise QueryFailed(f"{query.name}: {response.status_code} {body}")
        data: Data = body["data"]
        return data

    return run


def by_hand(sdk: StripeByHand, query: Query) -> Run:
    """The hand-written script for ``query``."""
    script = HANDWRITTEN[query.name]

    async def run() -> Data:
        return await script(sdk, query.variables)

    return run
