"""``python -m bench.soak``: concurrent clients through the gateway while the
sandbox fails a share of Stripe calls, then a check of what was written.

The sandbox and the gateway run in their own processes. The sandbox strikes
each Stripe call with a fault at ``--fault-rate``, spread over every kind it
knows; the gateway gives up on a call after ``STRIPE_TIMEOUT`` (1 s), shorter
than the longest after-apply delay, so some writes time out after Stripe has
applied them. Each client loops over reads and keyed writes for ``--seconds``
(and stops early once ``--max-requests`` were sent in all), retrying a failed
write with its idempotency key. Then the sandbox's objects are listed
directly, and the run fails (exit status 1) unless:

- no answer was a 5xx;
- every write reported successful exists exactly once, under the id reported;
- no write exists twice, reported or not;
- the gateway's resident memory stayed flat from the end of the warm-up on.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import sys
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.processes import Server, ServerFailed, Servers, free_port
from bench.queries import CUSTOMERS_SUBSCRIPTIONS

SANDBOX_KEY = "sk_test_soak0000000000000000"
WRITE_RETRIES = 2
CLIENT_TIMEOUT = 60.0
RSS_BOUND_BYTES = 20 * 1024 * 1024
RSS_BOUND_SHARE = 0.15
SAMPLE_SECONDS = 0.5
MIB = 1024 * 1024

# Each kind gets an equal share of the fault rate; an after-apply delay is
# once shorter and once longer than STRIPE_TIMEOUT.
FAULTS: list[dict[str, Any]] = [
    {"kind": "latency", "delay_ms": 200},
    {"kind": "rate_limit"},
    {"kind": "lock_timeout"},
    {"kind": "api_error"},
    {"kind": "reset"},
    {"kind": "after_apply_delay", "delay_ms": 300},
    {"kind": "after_apply_delay", "delay_ms": 1500},
]

CUSTOMERS = "{ customers(first: 10) { nodes { id name metadata } } }"
PRODUCTS = "{ products(first: 10, active: true) { nodes { id name active } } }"
CUSTOMER = """
query ($id: ID!) {
  customer(id: $id) { id name metadata invoices { nodes { id status } } }
}
"""
CUSTOMER_CREATE = """
mutation ($input: CustomerCreateInput!) {
  customerCreate(input: $input) {
    customer { id metadata } userErrors { field code message }
  }
}
"""
CUSTOMER_UPDATE = """
mutation ($input: CustomerUpdateInput!) {
  customerUpdate(input: $input) { customer { id } userErrors { field code } }
}
"""
PRODUCT_CREATE = """
mutation ($input: ProductCreateInput!) {
  productCreate(input: $input) {
    product { id metadata } userErrors { field code message }
  }
}
"""


@dataclass(frozen=True)
class Options:
    clients: int = 20
    seconds: float = 60.0
    fault_rate: float = 0.05
    max_requests: int = 100_000
    stripe_timeout: float = 1.0

    @property
    def warm_up(self) -> float:
        """Seconds before memory counts as steady."""
        return min(10.0, self.seconds / 4)


@dataclass
class Tally:
    """What the clients saw, shared by all of them."""

    requests: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    created: dict[str, str | None] = field(default_factory=dict)
    """Marker of each create sent to the id the gateway reported, or None."""


@dataclass(frozen=True)
class Memory:
    start: int
    end: int
    peak: int

    @property
    def bound(self) -> int:
        return max(RSS_BOUND_BYTES, int(self.start * RSS_BOUND_SHARE))

    @property
    def flat(self) -> bool:
        return self.end - self.start <= self.bound


@dataclass(frozen=True)
class Report:
    options: Options
    tally: Tally
    memory: Memory
    found: dict[str, list[str]]
    """Marker to the ids of the sandbox's objects that carry it."""
    calls: int
    """Stripe calls the sandbox received."""
    struck: Counter[str]
    """Fault kind to the number of Stripe calls it struck."""
    resent: int
    """Stripe calls with an idempotency key an earlier call had sent."""
    elapsed: float

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.tally.statuses.items() if status >= 500)

    @property
    def reported(self) -> dict[str, str]:
        return {m: i for m, i in self.tally.created.items() if i is not None}

    @property
    def exactly_once(self) -> int:
        found = self.found
        return sum(1 for m, i in self.reported.items() if found.get(m) == [i])

    @property
    def duplicates(self) -> int:
        return sum(1 for ids in self.found.values() if len(ids) > 1)

    @property
    def applied_unreported(self) -> int:
        unreported = set(self.tally.created) - set(self.reported)
        return sum(1 for marker in unreported if marker in self.found)

    def failures(self) -> list[str]:
        lost = len(self.reported) - self.exactly_once
        checks = {
            "a 5xx answer": self.server_errors == 0,
            "a reported write not found exactly once": lost == 0,
            "a duplicated write": self.duplicates == 0,
            "gateway memory grew": self.memory.flat,
        }
        return [name for name, passed in checks.items() if not passed]


class SoakServers(Servers):
    """The benchmark's servers, with a gateway configured for the soak."""

    def soak_gateway(self, stripe_url: str, options: Options) -> Server:
        port = free_port()
        env = {
            "STRIPE_API_KEY": SANDBOX_KEY,
            "STRIPE_API_BASE": stripe_url,
            # Shorter than the longest after-apply delay, on purpose.
            "STRIPE_TIMEOUT": str(options.stripe_timeout),
            # Throttling by the gateway itself is not what the soak looks for.
            "STRIPE_RATE_LIMIT_TEST": "100000",
            "GATEWAY_LOG_LEVEL": "WARNING",
            "GATEWAY_DATABASE_URL": f"sqlite+aiosqlite:///{self.workdir}/soak.db",
        }
        command = ["-m", "gateway.cli", "serve", "--port", str(port)]
        return self._start("gateway", command, port, "/healthz", env)


def fault_plan(rate: float) -> list[dict[str, Any]]:
    """Probability faults that together strike `rate` of all calls, each kind
    an equal share: the sandbox tries them in order, so each later one has
    the share of what the earlier ones left."""
    share = rate / len(FAULTS)
    plan = []
    for position, fault in enumerate(FAULTS):
        probability = share / (1 - share * position)
        plan.append({**fault, "path_prefix": "/v1/", "probability": probability})
    return plan


async def run_soak(options: Options) -> Report:
    """Start the servers, drive the clients, and check what was written."""
    servers = SoakServers(SANDBOX_KEY)
    with servers:
        sandbox = servers.sandbox(latency_ms=0)
        gateway = servers.soak_gateway(sandbox.url, options)
        async with httpx.AsyncClient(timeout=CLIENT_TIMEOUT) as http:
            await _inject_faults(http, sandbox.url, options.fault_rate)
            started = time.monotonic()
            tally, memory = await _drive(http, gateway, options)
            elapsed = time.monotonic() - started
            log = await _sandbox_log(http, sandbox.url)
            (await http.delete(f"{sandbox.url}/_sandbox/faults")).raise_for_status()
            found = await _written(http, sandbox.url)
    struck = Counter(entry["fault"] for entry in log if entry["fault"])
    keys = [entry["idempotency_key"] for entry in log if entry["idempotency_key"]]
    resent = len(keys) - len(set(keys))
    return Report(options, tally, memory, found, len(log), struck, resent, elapsed)


async def _inject_faults(http: httpx.AsyncClient, sandbox: str, rate: float) -> None:
    for fault in fault_plan(rate):
        (await http.post(f"{sandbox}/_sandbox/faults", json=fault)).raise_for_status()


async def _drive(
    http: httpx.AsyncClient, gateway: Server, options: Options
) -> tuple[Tally, Memory]:
    tally = Tally()
    deadline = time.monotonic() + options.seconds
    clients = [
        Client(number, http, gateway.url, tally, deadline, options.max_requests)
        for number in range(options.clients)
    ]
    runs = asyncio.ensure_future(asyncio.gather(*(c.run() for c in clients)))
    watch = MemoryWatch(gateway.pid, options.warm_up)
    await asyncio.gather(runs, watch.until(runs))
    return tally, watch.result()


class MemoryWatch:
    """The gateway's resident memory once warmed up, at its peak and at the end."""

    def __init__(self, pid: int, warm_up: float) -> None:
        self.pid = pid
        self.steady_from = time.monotonic() + warm_up
        self.start = 0
        self.peak = 0

    async def until(self, done: asyncio.Future[Any]) -> None:
        while not done.done():
            rss = resident_bytes(self.pid)
            self.peak = max(self.peak, rss)
            if not self.start and time.monotonic() >= self.steady_from:
                self.start = rss
            await asyncio.wait([done], timeout=SAMPLE_SECONDS)

    def result(self) -> Memory:
        end = resident_bytes(self.pid)
        return Memory(self.start or end, end, max(self.peak, end))


def resident_bytes(pid: int) -> int:
    """The process's resident set now (``VmRSS``)."""
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"^VmRSS:\s+(\d+) kB$", status, re.M)
    if match is None:
        raise ValueError(f"no VmRSS for process {pid}")
    return int(match.group(1)) * 1024


class Client:
    """One client: reads and keyed writes in a random mix until time is up."""

    def __init__(
        self,
        number: int,
        http: httpx.AsyncClient,
        gateway: str,
        tally: Tally,
        deadline: float,
        max_requests: int,
    ) -> None:
        self.http = http
        self.url = f"{gateway}/graphql"
        self.tally = tally
        self.deadline = deadline
        self.max_requests = max_requests
        self.random = random.Random(number)
        self.customers: list[str] = []

    async def run(self) -> None:
        actions: list[tuple[Callable[[], Awaitable[None]], int]] = [
            (self.read_customers, 3),
            (self.read_products, 2),
            (self.read_customer, 2),
            (self.read_subscriptions, 1),
            (self.create_customer, 4),
            (self.create_product, 1),
            (self.update_customer, 1),
        ]
        steps, weights = zip(*actions, strict=True)
        while self.running():
            await self.random.choices(steps, weights)[0]()

    def running(self) -> bool:
        in_time = time.monotonic() < self.deadline
        return in_time and self.tally.requests < self.max_requests

    async def read_customers(self) -> None:
        await self.send(CUSTOMERS, {})

    async def read_products(self) -> None:
        await self.send(PRODUCTS, {})

    async def read_subscriptions(self) -> None:
        await self.send(CUSTOMERS_SUBSCRIPTIONS, {})

    async def read_customer(self) -> None:
        if self.customers:
            await self.send(CUSTOMER, {"id": self.random.choice(self.customers)})

    async def create_customer(self) -> None:
        marker = uuid.uuid4().hex
        fields = {"name": "Soak customer", "metadata": {"soak_marker": marker}}
        created = await self.create(CUSTOMER_CREATE, "customerCreate", marker, fields)
        if created is not None:
            self.customers.append(created)

    async def create_product(self) -> None:
        marker = uuid.uuid4().hex
        fields = {"name": "Soak product", "metadata": {"soak_marker": marker}}
        await self.create(PRODUCT_CREATE, "productCreate", marker, fields)

    async def update_customer(self) -> None:
        if self.customers:
            customer = self.random.choice(self.customers)
            fields = {"id": customer, "description": f"visit {self.tally.requests}"}
            await self.write(CUSTOMER_UPDATE, "customerUpdate", fields)

    async def create(
        self, query: str, mutation: str, marker: str, fields: dict[str, Any]
    ) -> str | None:
        self.tally.created[marker] = None
        written = await self.write(query, mutation, fields)
        self.tally.created[marker] = written
        return written

    async def write(
        self, query: str, mutation: str, fields: dict[str, Any]
    ) -> str | None:
        """The id a keyed write reports, after retries with the same key."""
        variables = {"input": {**fields, "idempotencyKey": uuid.uuid4().hex}}
        for attempt in range(1 + WRITE_RETRIES):
            if attempt:
                if time.monotonic() >= self.deadline:
                    break
                await asyncio.sleep(0.2 * attempt)
            written = _written_id(await self.send(query, variables), mutation)
            if written is not None:
                return written
        return None

    async def send(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        """POST one GraphQL request; its outcome is tallied, its data returned."""
        self.tally.requests += 1
        try:
            response = await self.http.post(
                self.url, json={"query": query, "variables": variables}
            )
        except httpx.TransportError as error:
            self.tally.outcomes[f"transport {type(error).__name__}"] += 1
            return {}
        self.tally.statuses[response.status_code] += 1
        if response.status_code != 200:
            self.tally.outcomes[f"HTTP {response.status_code}"] += 1
            return {}
        body = response.json()
        self.tally.outcomes[_outcome(body)] += 1
        return {} if body.get("errors") else dict(body.get("data") or {})


def _written_id(data: dict[str, Any], mutation: str) -> str | None:
    """The id of the object a mutation's payload names, unless it was refused."""
    payload = data.get(mutation)
    if not payload or payload["userErrors"]:
        return None
    written = next(v for k, v in payload.items() if k != "userErrors")
    return str(written["id"]) if written else None


def _outcome(body: dict[str, Any]) -> str:
    errors = body.get("errors")
    if not errors:
        payloads = (body.get("data") or {}).values()
        refused = any(isinstance(p, dict) and p.get("userErrors") for p in payloads)
        return "user errors" if refused else "ok"
    code = (errors[0].get("extensions") or {}).get("code", "no code")
    return f"error {code}"


async def _written(http: httpx.AsyncClient, sandbox: str) -> dict[str, list[str]]:
    """Marker to the ids of the customers and products that carry it."""
    found: dict[str, list[str]] = {}
    for resource in ("customers", "products"):
        async for item in _listed(http, f"{sandbox}/v1/{resource}"):
            marker = (item.get("metadata") or {}).get("soak_marker")
            if marker:
                found.setdefault(marker, []).append(item["id"])
    return found


async def _listed(http: httpx.AsyncClient, url: str) -> AsyncIterator[dict[str, Any]]:
    params = {"limit": "100"}
    while True:
        response = await http.get(url, params=params, auth=(SANDBOX_KEY, ""))
        response.raise_for_status()
        page = response.json()
        for item in page["data"]:
            yield item
        if not page["has_more"]:
            return
        params["starting_after"] = page["data"][-1]["id"]


async def _sandbox_log(http: httpx.AsyncClient, sandbox: str) -> list[Any]:
    response = await http.get(f"{sandbox}/_sandbox/requests")
    response.raise_for_status()
    log: list[Any] = response.json()["requests"]
    return log


def render(report: Report) -> str:
    options, tally, memory = report.options, report.tally, report.memory
    rate = tally.requests / report.elapsed if report.elapsed else 0.0
    lines = [
        f"Soak: {options.clients} clients, {report.elapsed:.1f} s, "
        f"fault rate {options.fault_rate:g}, STRIPE_TIMEOUT {options.stripe_timeout:g}",
        f"requests            {tally.requests} ({rate:.1f}/s)",
        *(f"  {name:<30}{n}" for name, n in tally.outcomes.most_common()),
        f"Stripe calls        {report.calls}, struck by a fault "
        f"{sum(report.struck.values())}",
        *(f"  {kind:<30}{n}" for kind, n in report.struck.most_common()),
        f"  resent with the same idempotency key {report.resent}",
        f"5xx answers         {report.server_errors} (target 0)",
        f"creates sent        {len(tally.created)}",
        f"reported successful {len(report.reported)}",
        f"  exist exactly once {report.exactly_once} (target all)",
        f"applied, not reported (failed to the client) {report.applied_unreported}",
        f"duplicates          {report.duplicates} (target 0)",
        f"gateway RSS         {memory.start / MIB:.1f} MiB after warm-up, "
        f"{memory.end / MIB:.1f} MiB at the end, peak {memory.peak / MIB:.1f} MiB",
        f"  growth {(memory.end - memory.start) / MIB:+.1f} MiB, flat when under "
        f"{memory.bound / MIB:.1f} MiB (15% or 20 MiB): "
        f"{'flat' if memory.flat else 'GREW'}",
    ]
    failures = report.failures()
    verdict = "PASS" if not failures else "FAIL: " + "; ".join(failures)
    return "\n".join([*lines, verdict])


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.clients < 1 or args.seconds <= 0 or not 0 <= args.fault_rate <= 1:
        parser.error("need --clients >= 1, --seconds > 0, 0 <= --fault-rate <= 1")
    options = Options(
        clients=args.clients,
        seconds=args.seconds,
        fault_rate=args.fault_rate,
        max_requests=args.max_requests,
        stripe_timeout=args.stripe_timeout,
    )
    try:
        report = asyncio.run(run_soak(options))
    except KeyboardInterrupt:
        print("Interrupted; every server was stopped.", file=sys.stderr)
        return 130
    except (ServerFailed, httpx.HTTPError) as failure:
        print(f"The soak stopped: {failure}", file=sys.stderr)
        return 1
    print(render(report))
    return 1 if report.failures() else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.soak",
        description="Concurrent clients through the gateway while Stripe fails.",
    )
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--fault-rate", type=float, default=0.05)
    parser.add_argument(
        "--max-requests",
        type=int,
        default=100_000,
        help="stop once this many requests were sent in all",
    )
    parser.add_argument(
        "--stripe-timeout",
        type=float,
        default=1.0,
        help="the gateway's STRIPE_TIMEOUT; the longest injected delay is 1.5 s",
    )
    return parser


if __name__ == "__main__":
    sys.exit(main())
