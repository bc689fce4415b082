"""An admin served over real HTTP by uvicorn, with the sandbox as Stripe.

The admin runs in a thread of the test process, mounted at ``/admin`` the way
the gateway mounts it, over a SQLite file the tests can open themselves.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import stripe
import uvicorn
from starlette.applications import Starlette
from starlette.routing import Mount

from gateway.admin import create_admin_app
from gateway.tenants.crypto import KeyVault, new_master_key
from gateway.tenants.store import TenantStore
from resolvers.stripe_api import STRIPE_API_VERSION
from tests.sandbox_server import SandboxProcess
from tests.servers import STARTUP_SECONDS, free_port

ADMIN_TOKEN = "admin-token-for-tests-0123456789"
EVERY_PERMISSION = {
    resource: "write"
    for resource in (
        "customers",
        "charges",
        "payment_intents",
        "products",
        "prices",
        "invoices",
        "subscriptions",
    )
}
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class AdminServer:
    """A running admin; ``url`` ends in ``/admin``."""

    url: str
    database_url: str
    master_keys: list[str]
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def store(self, master_keys: Sequence[str] | None = None) -> TenantStore:
        """Another handle on the admin's database, for checks from the test."""
        return TenantStore(self.database_url, KeyVault(master_keys or self.master_keys))


def start_admin(
    sandbox: SandboxProcess, database_path: Path, master_keys: list[str]
) -> AdminServer:
    database_url = f"sqlite+aiosqlite:///{database_path}"
    store = TenantStore(database_url, KeyVault(master_keys))

    # The client's own key is never used: each probe sends the tenant's key.
    http = stripe.HTTPXClient(timeout=30)
    client = stripe.StripeClient(
        "sk_test_unused_by_probes",
        stripe_version=STRIPE_API_VERSION,
        base_addresses={"api": sandbox.url},
        http_client=http,
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with store:
            yield
        # Its pooled connections belong to this server's event loop.
        await http.close_async()

    admin = create_admin_app(store, client, ADMIN_TOKEN)
    app = Starlette(routes=[Mount("/admin", admin)], lifespan=lifespan)
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="admin-server", daemon=True)
    thread.start()
    _wait_until_started(server, thread)
    url = f"http://127.0.0.1:{port}/admin"
    return AdminServer(url, database_url, master_keys, server, thread)


def _wait_until_started(server: uvicorn.Server, thread: threading.Thread) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the admin server did not start")
        time.sleep(0.02)


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def sign_in(client: httpx.Client) -> None:
    """Sign ``client`` in through the login form, as a person would."""
    csrf = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"csrf": csrf, "token": ADMIN_TOKEN})
    assert response.status_code == 303, response.text


@pytest.fixture(scope="session")
def admin(
    sandbox: SandboxProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AdminServer]:
    database = tmp_path_factory.mktemp("admin") / "gateway.sqlite3"
    server = start_admin(sandbox, database, [new_master_key()])
    yield server
    server.stop()


@pytest.fixture
def admin_api(admin: AdminServer) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    with httpx.Client(base_url=f"{admin.url}/api", headers=headers) as client:
        yield client


@pytest.fixture
def admin_browser_session(admin: AdminServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=admin.url, timeout=30) as client:
        sign_in(client)
        yield client


@pytest.fixture
def tenant_id(admin_api: httpx.Client, request: pytest.FixtureRequest) -> str:
    """A new tenant, named after the test that asked for it."""
    name = re.sub(r"[^a-z0-9_-]", "-", request.node.name.lower())[:50]
    tenant = f"{name}-{uuid.uuid4().hex[:8]}"
    response = admin_api.post("/tenants", json={"id": tenant, "name": "Test tenant"})
    assert response.status_code == 201, response.text
    return tenant


@pytest.fixture
def full_key(sandbox: SandboxProcess) -> str:
    """A restricted key granting write on every resource type."""
    return sandbox.create_restricted_key(EVERY_PERMISSION)
