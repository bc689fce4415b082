"""SIGTERM: the gateway stops accepting, finishes what is in flight within
GATEWAY_SHUTDOWN_TIMEOUT, closes its resources and exits 0."""

from __future__ import annotations

import signal
import socket
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from urllib.parse import urlsplit

import httpx
import pytest

from tests.conftest import SANDBOX_KEY
from tests.sandbox_server import SandboxProcess, start_sandbox
from tests.servers import ServerProcess, start_gateway

STRIPE_LATENCY_MS = 3000
# Generous bounds for a busy machine; the Stripe call itself takes three seconds.
EXIT_BOUND_SECONDS = 30.0
QUERY = "{ customers(first: 1) { nodes { id } } }"


@pytest.fixture(scope="module")
def slow_sandbox() -> Iterator[SandboxProcess]:
    sandbox = start_sandbox(seed="demo", latency_ms=STRIPE_LATENCY_MS)
    yield sandbox
    sandbox.stop()


def start(sandbox: SandboxProcess, shutdown_timeout: float) -> ServerProcess:
    return start_gateway(
        {
            "STRIPE_API_KEY": SANDBOX_KEY,
            "STRIPE_API_BASE": sandbox.url,
            "STRIPE_RATE_LIMIT_TEST": "1000",
            "GATEWAY_SHUTDOWN_TIMEOUT": str(shutdown_timeout),
        }
    )


def query_in_flight(
    pool: ThreadPoolExecutor, gateway: ServerProcess, sandbox: SandboxProcess
) -> Future[httpx.Response]:
    """Send a query, and return once its Stripe call has reached the sandbox."""
    sandbox.reset_requests()
    response = pool.submit(
        httpx.post, f"{gateway.url}/graphql", json={"query": QUERY}, timeout=60
    )
    deadline = time.monotonic() + EXIT_BOUND_SECONDS
    while sandbox.request_count() == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sandbox.request_count() == 1
    return response


def refuses_connections(gateway: ServerProcess) -> bool:
    """Whether the gateway's port refuses a new connection, within a bound."""
    url = urlsplit(gateway.url)
    deadline = time.monotonic() + EXIT_BOUND_SECONDS
    while time.monotonic() < deadline:
        try:
            socket.create_connection((url.hostname, url.port), timeout=1).close()
        except ConnectionRefusedError:
            return True
        time.sleep(0.05)
    return False


def test_sigterm_lets_a_request_in_flight_finish_then_exits_0(
    slow_sandbox: SandboxProcess,
) -> None:
    gateway = start(slow_sandbox, shutdown_timeout=EXIT_BOUND_SECONDS)
    try:
        with ThreadPoolExecutor(1) as pool:
            response = query_in_flight(pool, gateway, slow_sandbox)
            gateway.process.send_signal(signal.SIGTERM)
            refused = refuses_connections(gateway)
            answer = response.result()
        code = gateway.process.wait(timeout=EXIT_BOUND_SECONDS)
    finally:
        gateway.stop()

    assert answer.status_code == 200
    assert answer.json()["data"]["customers"]["nodes"][0]["id"].startswith("cus_")
    assert refused
    assert code == 0
    assert "Application shutdown complete" in gateway.output()


def test_sigterm_exits_within_the_shutdown_timeout_despite_a_slow_request(
    slow_sandbox: SandboxProcess,
) -> None:
    gateway = start(slow_sandbox, shutdown_timeout=1)
    try:
        with ThreadPoolExecutor(1) as pool:
            response = query_in_flight(pool, gateway, slow_sandbox)
            gateway.process.send_signal(signal.SIGTERM)
            code = gateway.process.wait(timeout=EXIT_BOUND_SECONDS)
            answer = response.result()
    finally:
        gateway.stop()

    assert answer.status_code == 503
    [error] = answer.json()["errors"]
    assert error["extensions"]["code"] == "SHUTTING_DOWN"
    assert code == 0
    assert "timeout graceful shutdown exceeded" in gateway.output()
    assert "Application shutdown complete" in gateway.output()
