"""Fixtures: a sandbox and a gateway over real HTTP, started once per session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.sandbox_server import SandboxProcess, start_sandbox
from tests.servers import GraphQL, graphql_client, start_gateway

SANDBOX_KEY = "sk_test_gatewaytests0000"


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


@pytest.fixture
def graphql(gateway_url: str) -> GraphQL:
    return graphql_client(gateway_url)
