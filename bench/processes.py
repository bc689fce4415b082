"""The servers of a benchmark run, each in its own process on a free loopback port.

``Servers`` owns every process it starts and ends them all when its block
exits, on success, on an error and on Ctrl-C alike.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import httpx

ROOT = Path(__file__).resolve().parent.parent
READY_SECONDS = 30.0
STOP_SECONDS = 10.0
CALL_BUDGET = 10_000
RATE_LIMIT = 100_000


class ServerFailed(RuntimeError):
    """A server exited or did not become ready."""


@dataclass
class Server:
    """One running server process and where its output goes."""

    name: str
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def output_tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


class Servers:
    """Starts the sandbox, gateways and the bare route; stops them all on exit."""

    def __init__(self, api_key: str) -> None:
        self.api_key = api_key
        self.workdir = Path(tempfile.mkdtemp(prefix="stripe-gateway-bench-"))
        self._running: list[Server] = []

    def __enter__(self) -> Servers:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        for server in reversed(self._running):
            server.stop()
        self._running.clear()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def sandbox(self, latency_ms: float) -> Server:
        """The embedded Stripe sandbox with the demo seed."""
        port = free_port()
        command = [
            *("-m", "gateway.sandbox", "--port", str(port), "--seed", "demo"),
            *("--latency-ms", str(latency_ms)),
        ]
        return self._start("sandbox", command, port, "/_sandbox/healthz", {})

    def gateway(self, stripe_url: str, planner: bool, concurrency: int) -> Server:
        """``stripe-gateway serve`` against ``stripe_url``, planning on or off."""
        port = free_port()
        name = f"gateway-planner-{'on' if planner else 'off'}"
        env = {
            "STRIPE_API_KEY": self.api_key,
            "STRIPE_API_BASE": stripe_url,
            "STRIPE_CONCURRENCY": str(concurrency),
            "GATEWAY_PLANNER": "on" if planner else "off",
            # The benchmark counts the calls a query makes; a refusal by the
            # per-request budget would measure nothing.
            "GATEWAY_MAX_STRIPE_CALLS": str(CALL_BUDGET),
            # The sandbox has no rate limit; Stripe's would only measure waiting.
            "STRIPE_RATE_LIMIT_TEST": str(RATE_LIMIT),
            "GATEWAY_DATABASE_URL": f"sqlite+aiosqlite:///{self.workdir / name}.db",
        }
        command = ["-m", "gateway.cli", "serve", "--port", str(port)]
        return self._start(name, command, port, "/healthz", env)

    def bare(self, stripe_url: str) -> Server:
        """The bare Starlette route of ``bench.bare``, the floor for overhead."""
        port = free_port()
        command = ["-m", "bench.bare", "--port", str(port), "--api-base", stripe_url]
        env = {"STRIPE_API_KEY": self.api_key}
        return self._start("bare", command, port, "/healthz", env)

    def _start(
        self,
        name: str,
        arguments: Sequence[str],
        port: int,
        ready_path: str,
        env: Mapping[str, str],
    ) -> Server:
        log_path = self.workdir / f"{name}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, *arguments],
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**_inherited_environment(), **env},
            )
        server = Server(name, f"http://127.0.0.1:{port}", process, log_path)
        self._running.append(server)
        _wait_until_ready(server, ready_path)
        return server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _inherited_environment() -> dict[str, str]:
    # Each server gets its whole configuration from here; none leaks in.
    own = ("STRIPE_", "GATEWAY_")
    return {k: v for k, v in os.environ.items() if not k.startswith(own)}


def _wait_until_ready(server: Server, ready_path: str) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise ServerFailed(f"{server.name} exited early:\n{server.output_tail()}")
        try:
            if httpx.get(server.url + ready_path, timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise ServerFailed(f"{server.name} did not start in time:\n{server.output_tail()}")
