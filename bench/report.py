"""The report of a run: an aligned table, a verdict per target, the same as JSON.

Variants: (a) the gateway, (b) the gateway with ``GATEWAY_PLANNER=off``, (c)
the hand-written SDK script of ``bench.handwritten``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from bench.load import LoadResult
from bench.measure import Measurement

CALLS_RATIO_QUERY = "customers_subscriptions"
CALLS_RATIO_MIN = 10.0
WALL_RATIO_MAX = 1.15
THROUGHPUT_SHARE_MIN = 0.5
PEAK_MEMORY_MAX = 150_000_000
MB = 1_000_000


@dataclass(frozen=True)
class QueryResult:
    """The three variants of one canonical query."""

    name: str
    gateway: Measurement
    naive: Measurement
    handwritten: Measurement
    differences: dict[str, str] = field(default_factory=dict)
    """Variant ("a" or "b") to where its data first differs from the script's."""

    @property
    def wall_ratio(self) -> float:
        """a/c: the gateway's median wall time over the script's."""
        return self.gateway.median_ms / self.handwritten.median_ms

    @property
    def calls_ratio(self) -> float:
        """b/a: the calls planning saves, as a factor."""
        return self.naive.calls / max(self.gateway.calls, 1)


@dataclass(frozen=True)
class Overhead:
    """The gateway and the bare route under the same load, sandbox latency 0."""

    gateway: LoadResult
    bare: LoadResult
    peak_memory_bytes: int
    """The gateway process's VmHWM after the load."""

    @property
    def throughput_share(self) -> float:
        return self.gateway.requests_per_second / self.bare.requests_per_second


@dataclass(frozen=True)
class Verdict:
    target: str
    met: bool | None
    """None when the run could not measure it."""
    figure: str


def verdicts(
    queries: Sequence[QueryResult], overhead: Overhead | None
) -> list[Verdict]:
    found = [
        _same_data(queries),
        _calls_equal(queries),
        _calls_saved(queries),
        _wall_ratio(queries),
    ]
    if overhead is None:
        return [
            *found,
            Verdict("gateway throughput >= 50% of bare", None, "not measured"),
            Verdict("peak memory < 150 MB", None, "not measured"),
        ]
    share, peak = overhead.throughput_share, overhead.peak_memory_bytes
    return [
        *found,
        Verdict(
            "gateway throughput >= 50% of bare",
            share >= THROUGHPUT_SHARE_MIN,
            f"{share:.0%}",
        ),
        Verdict("peak memory < 150 MB", peak < PEAK_MEMORY_MAX, f"{peak / MB:.1f} MB"),
    ]


def _same_data(queries: Sequence[QueryResult]) -> Verdict:
    off = [f"{q.name} ({', '.join(q.differences)})" for q in queries if q.differences]
    figure = ", ".join(off) or "all equal"
    return Verdict("data a == c and b == c on every query", not off, figure)


def _calls_equal(queries: Sequence[QueryResult]) -> Verdict:
    off = [q for q in queries if q.gateway.calls != q.handwritten.calls]
    figure = ", ".join(
        f"{q.name} {q.gateway.calls} vs {q.handwritten.calls}" for q in off
    )
    return Verdict("calls a == c on every query", not off, figure or "all equal")


def _calls_saved(queries: Sequence[QueryResult]) -> Verdict:
    target = f"calls b/a >= {CALLS_RATIO_MIN:g} on {CALLS_RATIO_QUERY}"
    found = [q for q in queries if q.name == CALLS_RATIO_QUERY]
    if not found:
        return Verdict(target, None, "not run")
    ratio = found[0].calls_ratio
    return Verdict(target, ratio >= CALLS_RATIO_MIN, f"{ratio:.1f}")


def _wall_ratio(queries: Sequence[QueryResult]) -> Verdict:
    target = f"wall a/c <= {WALL_RATIO_MAX} on every query"
    off = [q for q in queries if q.wall_ratio > WALL_RATIO_MAX]
    worst = max(queries, key=lambda q: q.wall_ratio)
    figure = ", ".join(f"{q.name} {q.wall_ratio:.3f}" for q in off)
    return Verdict(target, not off, figure or f"worst {worst.wall_ratio:.3f}")


def render(
    settings: dict[str, Any],
    queries: Sequence[QueryResult],
    overhead: Overhead | None,
    found: Sequence[Verdict],
) -> str:
    """The report as aligned text."""
    lines = [
        f"Stripe calls and wall time: sandbox latency {settings['latency_ms']:g} ms "
        f"a call, median of {settings['runs']} runs after 1 warm-up, "
        f"{settings['concurrency']} Stripe calls in flight at most",
        "(a) gateway  (b) gateway, GATEWAY_PLANNER=off  (c) hand-written SDK script",
        f"Machine: {settings['cpus']} CPUs, load average {settings['load_average']:.2f}"
        " at the start (other work on the machine makes wall times noisier)",
        "",
        *_table(
            ["query", "calls a", "calls b", "calls c", "b/a", "ms a", "ms b", "ms c"]
            + ["a/c"],
            [_query_row(q) for q in queries],
        ),
    ]
    if any(not m.steady for q in queries for m in (q.gateway, q.naive, q.handwritten)):
        lines.append("* the calls of this variant differed between runs")
    for q in queries:
        for variant, where in q.differences.items():
            lines.append(f"! {q.name}: {variant} fetched other data: {where}")
    lines.append("")
    if overhead is not None:
        lines += _overhead_lines(settings, overhead)
    lines.append("Targets")
    for verdict in found:
        state = {True: "met", False: "NOT MET", None: "not measured"}[verdict.met]
        lines.append(f"  {state:<12} {verdict.target}: {verdict.figure}")
    return "\n".join(lines)


def _query_row(q: QueryResult) -> list[str]:
    variants = (q.gateway, q.naive, q.handwritten)
    calls = [f"{m.calls}{'' if m.steady else '*'}" for m in variants]
    times = [f"{m.median_ms:.1f}" for m in variants]
    name = f"{q.name}{' !' if q.differences else ''}"
    return [name, *calls, f"{q.calls_ratio:.1f}", *times, f"{q.wall_ratio:.2f}"]


def _overhead_lines(settings: dict[str, Any], overhead: Overhead) -> list[str]:
    rows = [
        [name, f"{r.requests_per_second:.0f}", f"{r.p50_ms:.2f}", f"{r.p99_ms:.2f}"]
        + [str(r.requests), str(r.errors)]
        for name, r in (("gateway", overhead.gateway), ("bare", overhead.bare))
    ]
    return [
        f"Gateway overhead: sandbox latency 0, wrk -t1 -c{settings['connections']} "
        f"-d{settings['load_seconds']}s, query {settings['overhead_query']}",
        "",
        *_table(["server", "req/s", "p50 ms", "p99 ms", "requests", "errors"], rows),
        "",
        f"gateway throughput: {overhead.throughput_share:.0%} of the bare route",
        f"gateway peak memory (VmHWM): {overhead.peak_memory_bytes / MB:.1f} MB",
        "",
    ]


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = [cell.rjust(width) for cell, width in zip(cells, widths, strict=True)]
        return "  ".join([first, *rest[1:]])

    return [line(header), *map(line, rows)]


def as_json(
    settings: dict[str, Any],
    queries: Sequence[QueryResult],
    overhead: Overhead | None,
    found: Sequence[Verdict],
) -> dict[str, Any]:
    """The report as one JSON-ready dict."""
    return {
        "settings": settings,
        "queries": [
            {
                "name": q.name,
                "gateway": _measurement(q.gateway),
                "gateway_planner_off": _measurement(q.naive),
                "handwritten": _measurement(q.handwritten),
                "calls_ratio_b_over_a": round(q.calls_ratio, 3),
                "wall_ratio_a_over_c": round(q.wall_ratio, 3),
                "data_differences": q.differences,
            }
            for q in queries
        ],
        "overhead": None
        if overhead is None
        else {
            "gateway": asdict(overhead.gateway),
            "bare": asdict(overhead.bare),
            "throughput_share": round(overhead.throughput_share, 3),
            "gateway_peak_memory_bytes": overhead.peak_memory_bytes,
        },
        "targets": [asdict(verdict) for verdict in found],
    }


def _measurement(m: Measurement) -> dict[str, Any]:
    return {
        "calls": m.calls,
        "calls_per_run": list(m.calls_per_run),
        "wall_ms_median": round(m.median_ms, 2),
        "wall_ms": [round(ms, 2) for ms in m.wall_ms],
    }
