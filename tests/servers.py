"""Real servers for the tests: each runs in its own process on a free loopback port."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

STARTUP_SECONDS = 60.0

GraphQL = Callable[..., dict[str, Any]]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ServerProcess:
    """A server started as a subprocess; ``stop()`` ends it."""

    url: str
    process: subprocess.Popen[bytes]
    log_path: str

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def output(self) -> str:
        with open(self.log_path, encoding="utf-8", errors="replace") as log:
            return log.read()

    def log_records(self) -> list[dict[str, Any]]:
        """The JSON log lines written so far; other output is left out."""
        records = []
        for line in self.output().splitlines():
            if line.startswith("{"):
                records.append(json.loads(line))
        return records

    def wait_for_log(
        self,
        matches: Callable[[dict[str, Any]], bool],
        count: int = 1,
        timeout: float = 10.0,
    ) -> list[dict[str, Any]]:
        """The JSON log records that match, once there are ``count`` of them (or
        the time is up): a request's line is written just after its response."""
        deadline = time.monotonic() + timeout
        while True:
            found = [record for record in self.log_records() if matches(record)]
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.05)


def start_server(
    command: Sequence[str],
    port: int,
    ready_path: str,
    env: Mapping[str, str] | None = None,
) -> ServerProcess:
    """Start ``command`` and wait until ``ready_path`` answers on ``port``."""
    # The child keeps its own handle on the log; ours can close at once.
    with tempfile.NamedTemporaryFile(
        prefix="server-", suffix=".log", delete=False
    ) as log:
        process = subprocess.Popen(
            list(command),
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**_inherited_environment(), **(env or {})},
        )
    server = ServerProcess(f"http://127.0.0.1:{port}", process, log.name)
    _wait_until_ready(server, ready_path)
    return server


def _inherited_environment() -> dict[str, str]:
    # Each test states the gateway's whole configuration; none leaks in from outside.
    own = ("STRIPE_", "GATEWAY_", "OTEL_")
    return {k: v for k, v in os.environ.items() if not k.startswith(own)}


def _wait_until_ready(server: ServerProcess, ready_path: str) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{server.output()}")
        try:
            httpx.get(server.url + ready_path, timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"server did not start in time:\n{server.output()}")


def start_gateway(env: Mapping[str, str]) -> ServerProcess:
    """The gateway as ``stripe-gateway serve`` runs it, configured by ``env``.

    Unless ``env`` names a database, the tenant store is a fresh SQLite file;
    unless it sets a rate limit, the limit is too high to slow any test down.
    """
    port = free_port()
    command = [sys.executable, "-m", "gateway.cli", "serve", "--port", str(port)]
    database = Path(tempfile.mkdtemp(prefix="gateway-")) / "tenants.sqlite3"
    defaults = {
        "GATEWAY_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "STRIPE_RATE_LIMIT_TEST": "10000",
    }
    return start_server(command, port, "/healthz", {**defaults, **env})


def start_localstripe() -> ServerProcess:
    """localstripe, the third-party Stripe emulator, with empty state."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "localstripe",
        "--port",
        str(port),
        "--from-scratch",
    ]
    return start_server(command, port, "/v1/customers")


def graphql_client(url: str) -> GraphQL:
    """POST a query to a gateway and return the decoded response body."""

    def run(query: str, **variables: Any) -> dict[str, Any]:
        response = httpx.post(
            f"{url}/graphql",
            json={"query": query, "variables": variables},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    return run


def admin_api(
    gateway: ServerProcess, token: str, method: str, path: str, body: Any = None
) -> Any:
    """Call a gateway's admin JSON API as the admin, and return the decoded body."""
    response = httpx.request(
        method,
        f"{gateway.url}/admin/api{path}",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert response.status_code < 300, response.text
    return response.json()
