"""Fixtures: a sandbox and a gateway over real HTTP, started once per session."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.sandbox_server import SandboxProcess, start_sandbox
from tests.servers import start_gateway

SANDBOX_KEY = "sk_test_gatewaytests0000"

GraphQL = Callable[..., dict[str, Any]]


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxProcess]:
    server = start_sandbox(seed="demo")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def gateway_url(sandbox: SandboxProcess) -> Iterator[str]:
    env = {"STRIPE_API_KEY": SANDBOX_KEY, "STRIPE_API_BASE": sandbox.url}
    gateway = start_gateway(env)
    yield gateway.url
    gateway.stop()


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


@pytest.fixture
def graphql(gateway_url: str) -> GraphQL:
    return graphql_client(gateway_url)
