"""Load from wrk in its own process, and the peak memory of the process it loads.

wrk is Debian's ``wrk``: one thread and a few connections, a fixed duration,
and ``--latency`` for the percentiles. Its text report is parsed here.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

POST_SCRIPT = Path(__file__).with_name("wrk_post.lua")
CONNECTIONS = 10
REQUEST_TIMEOUT = "10s"

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
_PERCENTILE = re.compile(r"^\s*(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m)\s*$", re.M)
_RATE = re.compile(r"^Requests/sec:\s+([\d.]+)", re.M)
_TOTAL = re.compile(r"^\s*(\d+) requests in", re.M)
_NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_SOCKET_ERRORS = re.compile(
    r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)"
)


class WrkMissing(RuntimeError):
    """wrk is not on PATH."""


@dataclass(frozen=True)
class LoadResult:
    """What one wrk run measured."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    """Responses other than 2xx or 3xx, and socket errors."""


def find_wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise WrkMissing(
            "wrk is not installed, so gateway overhead and peak memory are not "
            "measured. Install Debian's package: apt-get install -y wrk"
        )
    return path


async def run_wrk(url: str, body: str, seconds: int) -> LoadResult:
    """POST ``body`` to ``url`` for ``seconds`` over ``CONNECTIONS`` connections."""
    process = await asyncio.create_subprocess_exec(
        find_wrk(),
        *("-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency"),
        *("--timeout", REQUEST_TIMEOUT, "-s", str(POST_SCRIPT), url),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env={**os.environ, "BENCH_WRK_BODY": body},
    )
    try:
        output, _ = await asyncio.wait_for(process.communicate(), seconds + 60)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    report = output.decode(errors="replace")
    if process.returncode != 0:
        raise RuntimeError(f"wrk failed ({process.returncode}):\n{report}")
    return parse_wrk(report)


def parse_wrk(report: str) -> LoadResult:
    """Read requests per second, p50, p99 and errors from wrk's text report."""
    percentiles = {
        int(share): float(value) * _UNITS_MS[unit]
        for share, value, unit in _PERCENTILE.findall(report)
    }
    rate, total = _RATE.search(report), _TOTAL.search(report)
    if rate is None or total is None or set(percentiles) != {50, 99}:
        raise ValueError(f"unexpected wrk report:\n{report}")
    non_2xx = _NON_2XX.search(report)
    sockets = _SOCKET_ERRORS.search(report)
    errors = int(non_2xx.group(1)) if non_2xx else 0
    errors += sum(map(int, sockets.groups())) if sockets else 0
    return LoadResult(
        requests_per_second=float(rate.group(1)),
        p50_ms=percentiles[50],
        p99_ms=percentiles[99],
        requests=int(total.group(1)),
        errors=errors,
    )


def peak_memory_bytes(pid: int) -> int:
    """The process's peak resident set (``VmHWM``) so far."""
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"^VmHWM:\s+(\d+) kB$", status, re.M)
    if match is None:
        raise ValueError(f"no VmHWM for process {pid}")
    return int(match.group(1)) * 1024
