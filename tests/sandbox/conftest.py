"""Sandbox fixtures: one seeded sandbox process for the read-only suites."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import stripe

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
