"""No secret the gateway holds ever leaves it in clear.

One session drives a gateway through everything that could echo a secret:
reads and writes, Stripe's refusals (whose messages quote part of the key),
bad ids, failed authentication, the admin API and pages saving a tenant's key.
Every response body and header, the gateway's whole output at DEBUG and the
bytes of its tenant database are then searched for each secret.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet

from tests.admin.conftest import csrf_of
from tests.sandbox_server import SandboxProcess, start_sandbox
from tests.servers import start_gateway

# The default tenant's key lacks invoices, so a read of them is Stripe's 403.
DEFAULT_KEY_PERMISSIONS = {
    "customers": "write",
    "products": "read",
    "prices": "write",
    "payment_intents": "read",
}
TENANT_KEY_PERMISSIONS = {
    "customers": "read",
    "products": "read",
    "invoices": "read",
}

READS = """{
  viewer { tenant scopes }
  customers(first: 2) { nodes { id email name invoices(first: 1) { nodes { id } } } }
  products(first: 1) { nodes { id name } }
}"""
FORBIDDEN_BY_STRIPE = "{ invoices(first: 1) { nodes { id } } }"
ODD_IDS = """{
  missing: customer(id: "cus_doesnotexist") { id }
  malformed: customer(id: "cus_x/../../v1/charges") { id }
  unknown: node(id: "txn_123") { id }
}"""
WRITES = """mutation {
  created: customerCreate(input: {email: "grace.hopper@example.com", name: "Grace"}) {
    customer { id email }
    userErrors { field code message }
  }
  missing: customerUpdate(input: {id: "cus_doesnotexist", name: "Nobody"}) {
    customer { id }
    userErrors { field code message }
  }
  odd: priceCreate(input: {product: "prod_nope",
                           unitAmount: {decimal: "NaN", currency: "usd"}}) {
    price { id }
    userErrors { field code message }
  }
  refused: productCreate(input: {name: "Not allowed"}) {
    product { id }
    userErrors { field code message }
  }
}"""
BROKEN_DOCUMENTS = [
    "{ customers(",
    "{ nope }",
    '{ customers(first: "x") { nodes { id } } }',
]


@dataclass(frozen=True)
class Secret:
    """A secret and the fragments of it that must not appear either."""

    name: str
    value: str
    prefix: str = ""

    def fragments(self) -> dict[str, str]:
        body = self.value[len(self.prefix) :].rstrip("=")
        found = {"the whole value": self.value}
        if len(body) >= 24:
            found |= {"its first 12 characters": body[:12]}
            found |= {"its last 12 characters": body[-12:]}
        if self.prefix.endswith(("_test_", "_live_")):
            # Stripe's own errors quote a key as rk_test_****wxyz.
            found |= {"Stripe's masked form": f"****{self.value[-4:]}"}
        return found


@dataclass
class Capture:
    """Everything the gateway let out, by where it was seen."""

    places: dict[str, bytes] = field(default_factory=dict)
    answers: int = 0

    def record(self, response: httpx.Response, label: str = "") -> None:
        request = response.request
        answer = f"{response.status_code}{label}"
        where = (
            f"answer {self.answers} to {request.method} {request.url.path} ({answer})"
        )
        self.answers += 1
        self.places[f"{where} body"] = response.content
        for name, value in response.headers.items():
            self.places[f"{where} header {name}"] = value.encode()
            self._record_cookie(where, name, value)

    def _record_cookie(self, where: str, name: str, value: str) -> None:
        # A signed session cookie is base64 JSON: readable by whoever holds it.
        if name.lower() != "set-cookie":
            return
        payload = value.partition("=")[2].partition(".")[0]
        try:
            decoded = base64.b64decode(payload + "==")
        except binascii.Error:
            return
        self.places[f"{where} decoded cookie"] = decoded

    def leaks(self, secret: Secret) -> list[str]:
        return [
            f"{fragment} in {place}"
            for place, content in self.places.items()
            for fragment, text in secret.fragments().items()
            if text.encode() in content
        ]


@dataclass(frozen=True)
class Session:
    capture: Capture
    secrets: dict[str, Secret]


@pytest.fixture(scope="module")
def own_sandbox() -> Iterator[SandboxProcess]:
    server = start_sandbox(seed="demo")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def session(
    own_sandbox: SandboxProcess, tmp_path_factory: pytest.TempPathFactory
) -> Session:
    tenant_account = own_sandbox.create_account(seed="demo")["id"]
    known = [
        Secret(
            "the default Stripe key",
            own_sandbox.create_restricted_key(DEFAULT_KEY_PERMISSIONS),
            "rk_test_",
        ),
        Secret(
            "the tenant's Stripe key",
            own_sandbox.create_restricted_key(
                TENANT_KEY_PERMISSIONS, account=tenant_account
            ),
            "rk_test_",
        ),
        Secret(
            "a live key Stripe refuses", f"rk_live_{secrets.token_hex(16)}", "rk_live_"
        ),
        Secret("the admin token", f"admin-{secrets.token_urlsafe(24)}"),
        Secret("GATEWAY_SECRET_KEY", Fernet.generate_key().decode()),
    ]
    by_name = {secret.name: secret for secret in known}
    database = tmp_path_factory.mktemp("secrets") / "tenants.sqlite3"
    capture = Capture()
    gateway = start_gateway(
        {
            "STRIPE_API_KEY": by_name["the default Stripe key"].value,
            "STRIPE_API_BASE": own_sandbox.url,
            "STRIPE_RATE_LIMIT_TEST": "100000",
            "GATEWAY_ADMIN_TOKEN": by_name["the admin token"].value,
            "GATEWAY_SECRET_KEY": by_name["GATEWAY_SECRET_KEY"].value,
            "GATEWAY_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
            "GATEWAY_LOG_LEVEL": "DEBUG",
        }
    )
    try:
        with Driver(gateway.url, capture, by_name) as driver:
            token = driver.set_up_tenant(tenant_account)
            by_name["the tenant's API token"] = Secret(
                "the tenant's API token", token, "sgw_"
            )
            driver.use_graphql(token)
            driver.use_admin_pages()
    finally:
        gateway.stop()
    capture.places["the gateway's output"] = gateway.output().encode()
    capture.places["the tenant database"] = database_bytes(database)
    use_a_refused_key(own_sandbox, by_name["a live key Stripe refuses"], capture)
    return Session(capture, by_name)


class Driver:
    """Drives one gateway through a session, recording every response."""

    def __init__(self, url: str, capture: Capture, known: dict[str, Secret]) -> None:
        self.url = url
        self.capture = capture
        self.known = known
        admin = {"Authorization": f"Bearer {known['the admin token'].value}"}
        self.admin = httpx.Client(
            base_url=f"{url}/admin/api", headers=admin, timeout=30
        )

    def __enter__(self) -> Driver:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.admin.close()

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = httpx.request(method, f"{self.url}{path}", timeout=30, **kwargs)
        self.capture.record(response)
        return response

    def admin_call(self, method: str, path: str, body: Any = None) -> httpx.Response:
        response = self.admin.request(method, path, json=body)
        self.capture.record(response)
        return response

    def graphql(self, document: str, token: str | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.call("POST", "/graphql", json={"query": document}, headers=headers)

    def set_up_tenant(self, account: str) -> str:
        """A tenant with its own key, saved through the admin API; its API token."""
        self.call("GET", "/healthz")
        self.admin_call("POST", "/tenants", {"id": "acme", "name": "Acme"})
        for key in ("a live key Stripe refuses", "the default Stripe key"):
            refused = self.admin_call(
                "PUT",
                "/tenants/acme/stripe",
                {"key": self.known[key].value, "scopes": {"invoices": "write"}},
            )
            assert refused.status_code >= 400, refused.text
        tenant_key = self.known["the tenant's Stripe key"].value
        saved = self.admin_call(
            "PUT",
            "/tenants/acme/stripe",
            {"key": tenant_key, "scopes": TENANT_KEY_PERMISSIONS, "account": account},
        )
        assert saved.status_code == 200, saved.text
        self.admin_call("GET", "/tenants/acme")
        self.admin_call("GET", "/tenants")
        created = self.admin.post(
            "/tenants/acme/tokens",
            json={"name": "ci", "scopes": ["customers:read", "invoices:read"]},
        )
        # The one answer that must hold the token: it is shown once, to its maker.
        assert created.status_code == 201, created.text
        self.admin_call("GET", "/tenants/acme/tokens")
        self.admin_call("POST", "/rotate-master-key")
        wrong_admin = {"Authorization": "Bearer not-the-admin-token"}
        self.call("GET", "/admin/api/tenants", headers=wrong_admin)
        return str(created.json()["secret"])

    def use_graphql(self, token: str) -> None:
        for document in (
            READS,
            FORBIDDEN_BY_STRIPE,
            ODD_IDS,
            WRITES,
            *BROKEN_DOCUMENTS,
        ):
            self.graphql(document)
        for document in (READS, FORBIDDEN_BY_STRIPE, ODD_IDS, WRITES):
            assert self.graphql(document, token).status_code == 200
        for wrong in self._wrong_bearers(token):
            assert self.graphql(READS, wrong).status_code == 401
        self.call("GET", "/graphql", params={"query": "{ viewer { tenant } }"})
        self.call("GET", "/graphql", headers={"Accept": "text/html"})

    def _wrong_bearers(self, token: str) -> list[str]:
        # Secrets sent where they do not belong must not come back either.
        return [
            token[:-4] + "0000",
            "not.a.jwt",
            self.known["the admin token"].value,
            self.known["the default Stripe key"].value,
        ]

    def use_admin_pages(self) -> None:
        """A person signing in, and failing to save a key Stripe refuses."""
        with httpx.Client(base_url=f"{self.url}/admin", timeout=30) as browser:
            page = self._page(browser, "GET", "/login")
            wrong = {"csrf": csrf_of(page.text), "token": "not-the-admin-token"}
            self._page(browser, "POST", "/login", data=wrong)
            csrf = csrf_of(self._page(browser, "GET", "/login").text)
            token = self.known["the admin token"].value
            self._page(browser, "POST", "/login", data={"csrf": csrf, "token": token})
            page = self._page(browser, "GET", "/tenants/acme/stripe")
            form = {
                "csrf": csrf_of(page.text),
                "key": self.known["a live key Stripe refuses"].value,
                "scope-customers": "read",
            }
            self._page(browser, "POST", "/tenants/acme/stripe", data=form)
            self._page(browser, "GET", "/tenants")

    def _page(
        self, browser: httpx.Client, method: str, path: str, **kwargs: Any
    ) -> httpx.Response:
        response = browser.request(method, path, **kwargs)
        self.capture.record(response, " page")
        return response


def use_a_refused_key(sandbox: SandboxProcess, key: Secret, capture: Capture) -> None:
    """A gateway whose own key Stripe refuses: every call is a 401 quoting it."""
    gateway = start_gateway(
        {
            "STRIPE_API_KEY": key.value,
            "STRIPE_API_BASE": sandbox.url,
            "GATEWAY_LOG_LEVEL": "DEBUG",
        }
    )
    try:
        for document in (READS, WRITES):
            response = httpx.post(f"{gateway.url}/graphql", json={"query": document})
            capture.record(response, " refused key")
    finally:
        gateway.stop()
    capture.places["the refused-key gateway's output"] = gateway.output().encode()


def database_bytes(database: Path) -> bytes:
    """The database with its journals, which hold recent writes too."""
    files = sorted(database.parent.glob(f"{database.name}*"))
    assert files, f"no tenant database at {database}"
    return b"".join(path.read_bytes() for path in files)


SECRET_NAMES = [
    "the default Stripe key",
    "the tenant's Stripe key",
    "a live key Stripe refuses",
    "the admin token",
    "GATEWAY_SECRET_KEY",
    "the tenant's API token",
]


@pytest.mark.parametrize("name", SECRET_NAMES)
def test_a_secret_appears_in_no_response_log_or_database(
    session: Session, name: str
) -> None:
    leaks = session.capture.leaks(session.secrets[name])

    assert not leaks, f"{name} leaked:\n" + "\n".join(leaks)


def test_the_session_reached_every_kind_of_answer(session: Session) -> None:
    # Guards the search above: it is only as good as what the session provoked.
    seen = b"\n".join(session.capture.places.values())

    for code in (
        b"FORBIDDEN",
        b"NOT_FOUND",
        b"BAD_USER_INPUT",
        b"UNAUTHENTICATED",
        b"GRAPHQL_PARSE_FAILED",
        b"RESOURCE_MISSING",
    ):
        assert code in seen, code
    assert (
        b"grace.hopper@example.com"
        not in session.capture.places["the gateway's output"]
    )
