"""``python -m bench``: run the benchmark and print its report.

Two phases, each with servers of its own that stop when it ends:

1. Planning: the sandbox at ``--latency-ms`` a call, a gateway with the planner
   on and one with it off. Each canonical query runs through both gateways and
   as the hand-written script, with calls counted by the sandbox.
2. Overhead: the sandbox at latency 0, a gateway and the bare route, each
   loaded by wrk; then the gateway's peak memory.

Exit status: 0 when the run completed; 1 when it could not (a server failed,
a query came back with errors) or, with ``--strict``, when a target was not
met; 2 when a gateway's data differed from the hand-written script's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import stripe

from bench import load, report
from bench.dataset import pick_customer
from bench.handwritten import StripeByHand, fingerprint
from bench.measure import (
    QueryFailed,
    SandboxLog,
    by_hand,
    measure,
    through_gateway,
)
from bench.processes import ROOT, Server, ServerFailed, Servers
from bench.queries import SMALL, Query, canonical
from resolvers.stripe_api import STRIPE_API_VERSION

DEFAULT_OUTPUT = Path(__file__).with_name("results.json")
GATEWAY_CONCURRENCY = 8
"""``STRIPE_CONCURRENCY``'s default in the gateway; the script gets the same."""
HTTP_TIMEOUT = 60.0
LOAD_WARM_UP_SECONDS = 1


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.quick:
        args.runs = args.runs or 2
        args.load_seconds = args.load_seconds or 2
    args.runs = args.runs or 7
    args.load_seconds = args.load_seconds or 10
    try:
        return asyncio.run(_run(args))
    except KeyboardInterrupt:
        print("Interrupted; every server was stopped.", file=sys.stderr)
        return 130
    except asyncio.CancelledError:
        print("Terminated; every server was stopped.", file=sys.stderr)
        return 143
    except (QueryFailed, ServerFailed) as failure:
        print(f"The benchmark stopped: {failure}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Measure the gateway's Stripe calls, wall time and overhead.",
    )
    parser.add_argument(
        "--runs", type=_positive, help="timed runs per variant (default 7; quick 2)"
    )
    parser.add_argument(
        "--latency-ms",
        type=float,
        default=40.0,
        help="the sandbox's latency per Stripe call in phase 1 (default 40)",
    )
    parser.add_argument(
        "--load-seconds",
        type=_positive,
        help="seconds of wrk load per server (default 10; quick 2)",
    )
    parser.add_argument(
        "--concurrency",
        type=_positive,
        default=GATEWAY_CONCURRENCY,
        help="Stripe calls in flight per request, gateway and script alike "
        f"(default {GATEWAY_CONCURRENCY})",
    )
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: 2 runs, 2 s of load"
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_OUTPUT,
        help="where to write the JSON report (default bench/results.json)",
    )
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 when a target is not met"
    )
    return parser


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a positive whole number")
    return int(text)


async def _run(args: argparse.Namespace) -> int:
    task = asyncio.current_task()
    assert task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    api_key = f"sk_test_bench{secrets.token_hex(8)}"
    settings = _settings(args)

    queries = await _planning_phase(args, api_key)
    overhead = None
    try:
        overhead = await _overhead_phase(args, api_key)
    except load.WrkMissing as missing:
        print(f"\n{missing}\n", file=sys.stderr)

    found = report.verdicts(queries, overhead)
    print()
    print(report.render(settings, queries, overhead, found))
    document = report.as_json(settings, queries, overhead, found)
    args.output.write_text(json.dumps(document, indent=2) + "\n")
    print(f"\nWrote {_shown(args.output)}")
    if any(query.differences for query in queries):
        return 2
    all_met = all(verdict.met for verdict in found)
    return 1 if args.strict and not all_met else 0


async def _planning_phase(
    args: argparse.Namespace, api_key: str
) -> list[report.QueryResult]:
    print(f"Phase 1: canonical queries, sandbox latency {args.latency_ms:g} ms")
    with Servers(api_key) as servers:
        sandbox = servers.sandbox(args.latency_ms)
        gateways = (
            servers.gateway(sandbox.url, True, args.concurrency),
            servers.gateway(sandbox.url, False, args.concurrency),
        )
        http_client = stripe.HTTPXClient()
        client = stripe.StripeClient(
            api_key,
            stripe_version=STRIPE_API_VERSION,
            base_addresses={"api": sandbox.url},
            http_client=http_client,
        )
        sdk = StripeByHand(client, args.concurrency)
        try:
            async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as http:
                log = SandboxLog(http, sandbox.url)
                customer_id = await pick_customer(client)
                return [
                    await _compare(query, gateways, sdk, http, log, args.runs)
                    for query in canonical(customer_id)
                ]
        finally:
            await http_client.close_async()


async def _compare(
    query: Query,
    gateways: tuple[Server, Server],
    sdk: StripeByHand,
    http: httpx.AsyncClient,
    log: SandboxLog,
    runs: int,
) -> report.QueryResult:
    """Measure the three variants of ``query`` and compare their data."""
    planned, naive = (through_gateway(http, server.url, query) for server in gateways)
    a, a_data = await measure(planned, log, runs)
    b, b_data = await measure(naive, log, runs)
    c, c_data = await measure(by_hand(sdk, query), log, runs)
    print(f"  {query.name}: done")
    differences = _differences(c_data, a=a_data, b=b_data)
    return report.QueryResult(query.name, a, b, c, differences)


def _differences(expected: Any, **variants: Any) -> dict[str, str]:
    """Where each variant's data first differs from the script's, if it does."""
    wanted = fingerprint(expected)
    found = {}
    for name, data in variants.items():
        got = fingerprint(data)
        pairs = zip(got, wanted, strict=False)
        first = next((pair for pair in pairs if pair[0] != pair[1]), None)
        if first is not None:
            (path, value), (wanted_path, wanted_value) = first
            found[name] = (
                f"{path[1:]} = {value!r} where the script has "
                f"{wanted_path[1:]} = {wanted_value!r}"
            )
        elif len(got) != len(wanted):
            found[name] = (
                f"{len(got)} compared values where the script has {len(wanted)}"
            )
    return found


async def _overhead_phase(args: argparse.Namespace, api_key: str) -> report.Overhead:
    load.find_wrk()
    print(f"Phase 2: gateway overhead, {args.load_seconds} s of load per server")
    body = json.dumps({"query": SMALL})
    with Servers(api_key) as servers:
        sandbox = servers.sandbox(0)
        gateway = servers.gateway(sandbox.url, True, args.concurrency)
        bare = servers.bare(sandbox.url)
        results = {}
        for server in (gateway, bare):
            await _check_answers(server.url, body)
            await load.run_wrk(f"{server.url}/graphql", body, LOAD_WARM_UP_SECONDS)
            results[server.name] = await load.run_wrk(
                f"{server.url}/graphql", body, args.load_seconds
            )
            print(f"  {server.name}: done")
        peak = load.peak_memory_bytes(gateway.pid)
    return report.Overhead(results[gateway.name], results[bare.name], peak)


async def _check_answers(url: str, body: str) -> None:
    """Make sure a server answers the load's request before loading it."""
    async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as http:
        response = await http.post(
            f"{url}/graphql",
            content=body,
            headers={"content-type": "application/json"},
        )
    answer = response.json()
    if response.status_code != 200 or "errors" in answer:
        raise QueryFailed(f"{url} answered {response.status_code}: {answer}")


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "latency_ms": args.latency_ms,
        "runs": args.runs,
        "concurrency": args.concurrency,
        "load_seconds": args.load_seconds,
        "connections": load.CONNECTIONS,
        "overhead_query": SMALL,
        "commit": _commit(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg()[0],
    }


def _commit() -> str | None:
    try:
        found = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return found.stdout.strip()


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    sys.exit(main())
