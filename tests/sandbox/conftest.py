"""Sandbox fixtures: one seeded sandbox process for the read-only suites."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import stripe

from gateway.sandbox.server import SandboxThread, start_in_thread
from gateway.sandbox.store import Store
from tests.sandbox_server import SandboxProcess, start_sandbox

API_KEY = "sk_test_sandboxsuite0001"


@pytest.fixture(scope="session")
def demo_sandbox() -> Iterator[SandboxProcess]:
    server = start_sandbox(seed="demo")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def api(demo_sandbox: SandboxProcess) -> Iterator[httpx.Client]:
    """Raw HTTP to the seeded sandbox, authenticated, for exact JSON checks."""
    with httpx.Client(base_url=demo_sandbox.url, auth=(API_KEY, "")) as client:
        yield client


def stripe_client(url: str) -> tuple[stripe.StripeClient, stripe.RequestsClient]:
    # The SDK's HTTPX transport posts bytes through httpx's deprecated `data=`,
    # which this project's warnings-as-errors setting rejects; the requests
    # transport sends the same form bodies without that warning.
    http = stripe.RequestsClient()
    client = stripe.StripeClient(
        API_KEY, base_addresses={"api": url}, http_client=http, max_network_retries=0
    )
    return client, http


@pytest.fixture(scope="session")
def blank_sandbox() -> Iterator[SandboxProcess]:
    """A sandbox without seed data, shared by the write-flow suites."""
    server = start_sandbox(seed=None)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def blank(blank_sandbox: SandboxProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=blank_sandbox.url, auth=(API_KEY, "")) as client:
        yield client


@pytest.fixture
def faults(blank_sandbox: SandboxProcess) -> Iterator[str]:
    """The blank sandbox's /_sandbox/faults, cleared after the test."""
    url = f"{blank_sandbox.url}/_sandbox/faults"
    yield url
    httpx.delete(url).raise_for_status()


@pytest.fixture(scope="session")
def in_process() -> Iterator[SandboxThread]:
    """A blank sandbox in this process, for states no API call reaches
    (a paused subscription, a refund awaiting action)."""
    sandbox = start_in_thread(seed=None)
    yield sandbox
    sandbox.stop()


@pytest.fixture(scope="session")
def in_process_api(in_process: SandboxThread) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=in_process.url, auth=(API_KEY, "")) as client:
        yield client


def store_of(sandbox: SandboxThread) -> Store:
    """The default account's objects, to set a state directly."""
    app: Any = sandbox.server.config.app
    store: Store = app.state.store
    return store
