"""Tenants end to end: each tenant's own Stripe account, key and scopes, through
the admin API and the GraphQL endpoint of one gateway process."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.fernet import Fernet

from tests.conftest import SANDBOX_KEY
from tests.sandbox_server import SandboxProcess
from tests.servers import ServerProcess, admin_api, start_gateway

ADMIN_TOKEN = "admin-token-for-tenant-tests-0123"
JWT_SECRET = "a-shared-secret-of-at-least-32-bytes!!"
AUDIENCE = "billing-dashboard"
BOTH_LISTS = "{ customers(first: 1) { nodes { id } } products { nodes { id } } }"
READ_ALL = {
    "customers": "read",
    "charges": "read",
    "payment_intents": "read",
    "products": "read",
    "prices": "read",
    "invoices": "read",
    "subscriptions": "read",
}


@dataclass
class Deployment:
    gateway: ServerProcess
    database: Path
    keys: dict[str, str]
    tokens: dict[str, str]

    def query(self, document: str, token: str | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.post(
            f"{self.gateway.url}/graphql",
            json={"query": document},
            headers=headers,
            timeout=30,
        )


def admin(gateway: ServerProcess, method: str, path: str, body: Any = None) -> Any:
    return admin_api(gateway, ADMIN_TOKEN, method, path, body)


@pytest.fixture(scope="module")
def deployment(
    sandbox: SandboxProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    database = tmp_path_factory.mktemp("tenants") / "gateway.sqlite3"
    gateway = start_gateway(
        {
            "STRIPE_API_KEY": SANDBOX_KEY,
            "STRIPE_API_BASE": sandbox.url,
            "GATEWAY_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
            "GATEWAY_SECRET_KEY": Fernet.generate_key().decode(),
            "GATEWAY_ADMIN_TOKEN": ADMIN_TOKEN,
            "GATEWAY_JWT_SECRET": JWT_SECRET,
            "GATEWAY_JWT_AUDIENCE": AUDIENCE,
        }
    )
    keys, tokens = {}, {}
    for tenant, seed in (("alpha", "demo"), ("beta", "none")):
        account = sandbox.create_account(seed=seed)
        keys[tenant] = sandbox.create_restricted_key(READ_ALL, account=account["id"])
        admin(gateway, "POST", "/tenants", {"id": tenant, "name": tenant.title()})
        admin(
            gateway,
            "PUT",
            f"/tenants/{tenant}/stripe",
            {"key": keys[tenant], "scopes": READ_ALL},
        )
        created = admin(
            gateway,
            "POST",
            f"/tenants/{tenant}/tokens",
            {"name": "dashboard", "scopes": ["customers:read", "products:read"]},
        )
        tokens[tenant] = created["secret"]
    yield Deployment(gateway, database, keys, tokens)
    gateway.stop()


def signed(claims: dict[str, Any]) -> str:
    base = {"tenantId": "alpha", "aud": AUDIENCE, "exp": int(time.time()) + 300}
    return jwt.encode({**base, **claims}, JWT_SECRET, algorithm="HS256")


def test_a_write_scope_the_key_lacks_is_refused(
    deployment: Deployment, sandbox: SandboxProcess
) -> None:
    account = sandbox.create_account()
    key = sandbox.create_restricted_key(READ_ALL, account=account["id"])
    admin(deployment.gateway, "POST", "/tenants", {"id": "delta", "name": "Delta"})

    response = httpx.put(
        f"{deployment.gateway.url}/admin/api/tenants/delta/stripe",
        json={"key": key, "scopes": {**READ_ALL, "customers": "write"}},
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
    )

    assert response.status_code == 422
    assert response.json()["probe"]["missing"] == ["customers"]
    integration = admin(deployment.gateway, "GET", "/tenants/delta")
    assert integration.get("integration") is None


def test_a_tenant_never_receives_another_tenants_objects(
    deployment: Deployment,
) -> None:
    alpha = deployment.query(
        "{ customers(first: 1) { nodes { id email } } }", deployment.tokens["alpha"]
    ).json()
    [customer] = alpha["data"]["customers"]["nodes"]

    beta = deployment.query(
        f'{{ customer(id: "{customer["id"]}") {{ id email }} }}',
        deployment.tokens["beta"],
    ).json()

    assert beta["data"]["customer"] is None
    assert beta["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    listed = deployment.query(
        "{ customers { nodes { id } } }", deployment.tokens["beta"]
    ).json()
    assert listed["data"]["customers"]["nodes"] == []


def test_a_token_holds_only_its_own_scopes(deployment: Deployment) -> None:
    body = deployment.query(
        "{ viewer { tenant scopes } invoices { nodes { id } } }",
        deployment.tokens["alpha"],
    ).json()

    assert body["data"]["viewer"] == {
        "tenant": "alpha",
        "scopes": ["customers:read", "products:read"],
    }
    assert body["errors"][0]["extensions"] == {
        "code": "FORBIDDEN",
        "requiredScope": "invoices:read",
    }


def test_jwt_scopes_are_cut_to_the_tenants_integration(deployment: Deployment) -> None:
    token = signed({"permissions": ["invoices:write", "customers:read"]})

    body = deployment.query("{ viewer { tenant scopes } }", token).json()

    assert body["data"]["viewer"] == {
        "tenant": "alpha",
        "scopes": ["customers:read", "invoices:read"],
    }


@pytest.mark.parametrize(
    "claims",
    [
        {"exp": int(time.time()) - 120},
        {"aud": "another-app"},
        {"tenantId": "no-such-tenant"},
    ],
    ids=["expired", "wrong audience", "wrong tenant"],
)
def test_refused_jwts_get_a_401_challenge(
    deployment: Deployment, claims: dict[str, Any]
) -> None:
    response = deployment.query("{ viewer { tenant } }", signed(claims))

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith(
        'Bearer realm="stripe-gateway"'
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_keys_appear_neither_in_the_database_nor_the_logs(
    deployment: Deployment,
) -> None:
    deployment.query("{ customers { nodes { id } } }", deployment.tokens["alpha"])
    stored = b"".join(
        path.read_bytes()
        for path in deployment.database.parent.iterdir()
        if path.name.startswith(deployment.database.name)
    )
    logs = deployment.gateway.output()

    for key in deployment.keys.values():
        assert key.encode() not in stored
        assert key[-12:].encode() not in stored
        assert key[-12:] not in logs
    for token in deployment.tokens.values():
        assert token.encode() not in stored
        assert token not in logs


def test_stripe_403_is_forbidden_with_the_scope_and_no_secrets(
    sandbox: SandboxProcess,
) -> None:
    account = sandbox.create_account(seed="demo")
    key = sandbox.create_restricted_key({"customers": "read"}, account=account["id"])
    gateway = start_gateway(
        {
            "STRIPE_API_KEY": key,
            "STRIPE_API_BASE": sandbox.url,
            "GATEWAY_SCOPES": "customers:read products:read",
        }
    )
    try:
        response = httpx.post(
            f"{gateway.url}/graphql",
            json={"query": BOTH_LISTS},
        )
    finally:
        gateway.stop()

    body = response.json()
    assert len(body["data"]["customers"]["nodes"]) == 1
    assert body["data"]["products"] is None
    [error] = body["errors"]
    assert error["extensions"] == {
        "code": "FORBIDDEN",
        "requiredScope": "products:read",
    }
    assert "rk_" not in error["message"] and account["id"] not in error["message"]
    assert key[-4:] not in gateway.output()


def test_production_without_a_key_of_its_own_serves_tenants_only(
    sandbox: SandboxProcess, tmp_path: Path
) -> None:
    gateway = start_gateway(
        {
            "GATEWAY_ENV": "production",
            "STRIPE_API_BASE": sandbox.url,
            "GATEWAY_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'g.sqlite3'}",
            "GATEWAY_SECRET_KEY": Fernet.generate_key().decode(),
            "GATEWAY_ADMIN_TOKEN": ADMIN_TOKEN,
        }
    )
    try:
        anonymous = httpx.post(
            f"{gateway.url}/graphql", json={"query": "{ viewer { tenant } }"}
        )
        account = sandbox.create_account(seed="demo")
        key = sandbox.create_restricted_key(READ_ALL, account=account["id"])
        admin(gateway, "POST", "/tenants", {"id": "gamma", "name": "Gamma"})
        admin(gateway, "PUT", "/tenants/gamma/stripe", {"key": key, "scopes": READ_ALL})
        token = admin(
            gateway,
            "POST",
            "/tenants/gamma/tokens",
            {"name": "ci", "scopes": ["customers:read"]},
        )["secret"]
        served = httpx.post(
            f"{gateway.url}/graphql",
            json={"query": "{ customers(first: 1) { nodes { id } } }"},
            headers={"Authorization": f"Bearer {token}"},
        )
        health = httpx.get(f"{gateway.url}/healthz").json()
    finally:
        gateway.stop()

    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    assert len(served.json()["data"]["customers"]["nodes"]) == 1
    assert health["mode"] == "stripe"
    assert "embedded Stripe sandbox" not in gateway.output()
