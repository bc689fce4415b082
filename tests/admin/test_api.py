"""The admin's JSON API over HTTP, with the sandbox standing in for Stripe."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import httpx
import pytest

from gateway.tenants.crypto import KeyVault, new_master_key
from gateway.tenants.keys import mask_key
from gateway.tenants.store import TenantStore
from resolvers.scopes import Access, Resource, Scopes
from tests.admin.conftest import ADMIN_TOKEN, AdminServer, start_admin
from tests.sandbox_server import SandboxProcess

SECRET_KEY = "sk_test_gatewayadminsecret0001"
REFUSED_KEY = "rk_live_51HrefusedBySandbox0001"
CUSTOMERS_AND_INVOICES = {"customers": "read", "invoices": "write"}


def stored_key(admin: AdminServer, tenant_id: str) -> str | None:
    async def read() -> str | None:
        async with admin.store() as store:
            return await store.stripe_key(tenant_id)

    return asyncio.run(read())


def integration_of(admin_api: httpx.Client, tenant_id: str) -> object:
    return admin_api.get(f"/tenants/{tenant_id}").json()["integration"]


def error_of(response: httpx.Response) -> dict[str, str | None]:
    error: dict[str, str | None] = response.json()["error"]
    return error


# Tenants


def test_creates_lists_shows_and_deletes_tenants(admin_api: httpx.Client) -> None:
    created = admin_api.post("/tenants", json={"id": "crud-co", "name": "CRUD Co"})
    listed = admin_api.get("/tenants").json()["tenants"]
    shown = admin_api.get("/tenants/crud-co").json()
    deleted = admin_api.delete("/tenants/crud-co")
    gone = admin_api.get("/tenants/crud-co")

    assert created.status_code == 201
    assert created.json()["tenant"]["name"] == "CRUD Co"
    assert "crud-co" in [tenant["id"] for tenant in listed]
    assert shown["tenant"]["id"] == "crud-co"
    assert shown["integration"] is None
    assert deleted.status_code == 204
    assert gone.status_code == 404
    assert error_of(gone)["code"] == "tenant_not_found"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"id": "Not Valid", "name": "X"}, "id"),
        ({"id": "a" * 65, "name": "X"}, "id"),
        ({"id": "fine", "name": "   "}, "name"),
        ({"name": "X"}, "id"),
    ],
)
def test_refuses_malformed_tenants(
    admin_api: httpx.Client, body: dict[str, str], field: str
) -> None:
    response = admin_api.post("/tenants", json=body)

    assert response.status_code == 400
    assert error_of(response)["field"] == field


def test_refuses_a_duplicate_tenant(admin_api: httpx.Client, tenant_id: str) -> None:
    response = admin_api.post("/tenants", json={"id": tenant_id, "name": "Again"})

    assert response.status_code == 409
    assert error_of(response) == {
        "code": "tenant_exists",
        "message": f"a tenant '{tenant_id}' already exists",
        "field": "id",
    }


def test_refuses_a_body_that_is_not_json(admin_api: httpx.Client) -> None:
    nested = b'{"id": "deep", "name": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    for body in (b"id=acme", nested):
        response = admin_api.post("/tenants", content=body)

        assert response.status_code == 400
        assert error_of(response)["code"] == "invalid_json"


# Stripe keys


def test_saves_a_restricted_key_that_grants_the_selected_scopes(
    admin: AdminServer, admin_api: httpx.Client, tenant_id: str, full_key: str
) -> None:
    response = admin_api.put(
        f"/tenants/{tenant_id}/stripe",
        json={"key": full_key, "scopes": CUSTOMERS_AND_INVOICES},
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["integration"]["maskedKey"] == mask_key(full_key)
    assert body["integration"]["keyKind"] == "restricted"
    assert body["integration"]["livemode"] is False
    assert body["integration"]["scopes"] == {
        "customers": "read",
        "charges": "none",
        "payment_intents": "none",
        "products": "none",
        "prices": "none",
        "invoices": "write",
        "subscriptions": "none",
    }
    assert body["probe"] == {"granted": ["customers", "invoices"], "missing": []}
    assert body["warnings"] == []
    assert full_key not in response.text
    assert integration_of(admin_api, tenant_id) == body["integration"]
    assert stored_key(admin, tenant_id) == full_key


def test_probes_reads_with_a_read_and_writes_with_an_update_of_nothing(
    admin_api: httpx.Client, sandbox: SandboxProcess, tenant_id: str, full_key: str
) -> None:
    sandbox.reset_requests()

    admin_api.put(
        f"/tenants/{tenant_id}/stripe",
        json={"key": full_key, "scopes": CUSTOMERS_AND_INVOICES},
    )

    probes = sorted((r["method"], r["path"], r["query"]) for r in sandbox.requests())
    assert probes == [
        ("GET", "/v1/customers", "limit=1"),
        ("GET", "/v1/invoices", "limit=1"),
        ("POST", "/v1/invoices/in_gatewayprobe", ""),
    ]


def test_refuses_a_key_that_lacks_a_selected_scope(
    admin: AdminServer,
    admin_api: httpx.Client,
    sandbox: SandboxProcess,
    tenant_id: str,
) -> None:
    key = sandbox.create_restricted_key({"customers": "read", "invoices": "none"})

    response = admin_api.put(
        f"/tenants/{tenant_id}/stripe",
        json={"key": key, "scopes": CUSTOMERS_AND_INVOICES},
    )

    assert response.status_code == 422
    assert error_of(response)["code"] == "missing_scopes"
    assert error_of(response)["field"] == "scopes"
    assert "Invoices" in str(error_of(response)["message"])
    assert response.json()["probe"] == {
        "granted": ["customers"],
        "missing": ["invoices"],
    }
    assert key not in response.text
    assert integration_of(admin_api, tenant_id) is None
    assert stored_key(admin, tenant_id) is None


def test_saves_a_secret_key_with_a_warning(
    admin_api: httpx.Client, tenant_id: str
) -> None:
    response = admin_api.put(
        f"/tenants/{tenant_id}/stripe",
        json={"key": SECRET_KEY, "scopes": {"customers": "read"}},
    )

    assert response.status_code == 200, response.text
    assert response.json()["integration"]["keyKind"] == "secret"
    [warning] = response.json()["warnings"]
    assert "unrestricted secret key" in warning
    assert SECRET_KEY not in response.text


@pytest.mark.parametrize(
    ("key", "complaint"),
    [
        ("pk_test_51Hpublishable0001", "publishable"),
        ("rk_test_tiny", "too short"),
        ("whsec_51Hnotastripekey0001", "must start with"),
    ],
)
def test_refuses_a_malformed_key_before_asking_stripe(
    admin_api: httpx.Client,
    sandbox: SandboxProcess,
    tenant_id: str,
    key: str,
    complaint: str,
) -> None:
    sandbox.reset_requests()

    response = admin_api.put(
        f"/tenants/{tenant_id}/stripe",
        json={"key": key, "scopes": {"customers": "read"}},
    )

    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_key_format"
    assert error_of(response)["field"] == "key"
    assert complaint in str(error_of(response)["message"])
    assert key not in response.text
    assert sandbox.requests() == []


def test_refuses_a_key_that_stripe_refuses(
    admin: AdminServer, admin_api: httpx.Client, tenant_id: str
) -> None:
    response = admin_api.put(
        f"/tenants/{tenant_id}/stripe",
        json={"key": REFUSED_KEY, "scopes": {"customers": "read"}},
    )

    assert response.status_code == 422
    assert error_of(response)["code"] == "key_refused"
    assert error_of(response)["field"] == "key"
    assert REFUSED_KEY not in response.text
    assert stored_key(admin, tenant_id) is None


@pytest.mark.parametrize(
    ("scopes", "field"),
    [
        ({}, "scopes"),
        ({"customers": "none"}, "scopes"),
        ({"coupons": "read"}, "scopes.coupons"),
        ({"customers": "admin"}, "scopes.customers"),
        (["customers:read"], "scopes"),
    ],
)
def test_refuses_scopes_that_select_nothing_known(
    admin_api: httpx.Client, tenant_id: str, full_key: str, scopes: object, field: str
) -> None:
    response = admin_api.put(
        f"/tenants/{tenant_id}/stripe", json={"key": full_key, "scopes": scopes}
    )

    assert response.status_code == 400
    assert error_of(response)["field"] == field


def test_refuses_a_malformed_connect_account(
    admin_api: httpx.Client, tenant_id: str, full_key: str
) -> None:
    response = admin_api.put(
        f"/tenants/{tenant_id}/stripe",
        json={"key": full_key, "scopes": {"customers": "read"}, "account": "cus_1"},
    )

    assert response.status_code == 400
    assert error_of(response)["field"] == "account"


def test_saving_again_rotates_the_key(
    admin: AdminServer,
    admin_api: httpx.Client,
    sandbox: SandboxProcess,
    tenant_id: str,
    full_key: str,
) -> None:
    path = f"/tenants/{tenant_id}/stripe"
    admin_api.put(path, json={"key": full_key, "scopes": {"customers": "read"}})
    new_key = sandbox.create_restricted_key({"customers": "read", "prices": "read"})

    response = admin_api.put(
        path, json={"key": new_key, "scopes": {"customers": "read", "prices": "read"}}
    )

    assert response.status_code == 200, response.text
    assert response.json()["integration"]["maskedKey"] == mask_key(new_key)
    assert stored_key(admin, tenant_id) == new_key


def test_deletes_an_integration(
    admin: AdminServer, admin_api: httpx.Client, tenant_id: str, full_key: str
) -> None:
    path = f"/tenants/{tenant_id}/stripe"
    admin_api.put(path, json={"key": full_key, "scopes": {"customers": "read"}})

    deleted = admin_api.delete(path)
    again = admin_api.delete(path)

    assert deleted.status_code == 204
    assert integration_of(admin_api, tenant_id) is None
    assert stored_key(admin, tenant_id) is None
    assert again.status_code == 404
    assert error_of(again)["code"] == "integration_not_found"


def test_an_unknown_tenant_has_no_integration_to_save(
    admin_api: httpx.Client, full_key: str
) -> None:
    response = admin_api.put(
        "/tenants/nobody-here/stripe",
        json={"key": full_key, "scopes": {"customers": "read"}},
    )

    assert response.status_code == 404
    assert error_of(response)["code"] == "tenant_not_found"


def test_no_key_reaches_the_logs(
    admin_api: httpx.Client,
    tenant_id: str,
    full_key: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO):
        admin_api.put(
            f"/tenants/{tenant_id}/stripe",
            json={"key": full_key, "scopes": {"customers": "read"}},
        )
        admin_api.put(
            f"/tenants/{tenant_id}/stripe",
            json={"key": REFUSED_KEY, "scopes": {"customers": "read"}},
        )

    assert f"tenant {tenant_id}: saved a Stripe restricted key" in caplog.text
    assert full_key not in caplog.text
    assert full_key[-8:] not in caplog.text
    assert REFUSED_KEY not in caplog.text


# API tokens


def test_creates_lists_finds_and_revokes_tokens(
    admin: AdminServer, admin_api: httpx.Client, tenant_id: str
) -> None:
    path = f"/tenants/{tenant_id}/tokens"
    created = admin_api.post(path, json={"name": "ci", "scopes": ["customers:read"]})
    token, secret = created.json()["token"], created.json()["secret"]
    listed = admin_api.get(path).json()["tokens"]
    found = asyncio.run(_find_token(admin, secret))

    revoked = admin_api.delete(f"{path}/{token['id']}")
    again = admin_api.delete(f"{path}/{token['id']}")

    assert created.status_code == 201
    assert secret.startswith("sgw_")
    assert token["scopes"] == ["customers:read"]
    assert listed == [token]
    assert secret not in admin_api.get(path).text
    assert found == Scopes({Resource.CUSTOMERS: Access.READ})
    assert revoked.status_code == 204
    assert admin_api.get(path).json()["tokens"] == []
    assert asyncio.run(_find_token(admin, secret)) is None
    assert again.status_code == 404


async def _find_token(admin: AdminServer, secret: str) -> Scopes | None:
    async with admin.store() as store:
        token = await store.find_api_token(secret)
    return token.scopes if token else None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "ci", "scopes": ["customers:admin"]}, "scopes"),
        ({"name": "ci", "scopes": "customers:read"}, "scopes"),
        ({"name": "", "scopes": ["customers:read"]}, "name"),
    ],
)
def test_refuses_malformed_tokens(
    admin_api: httpx.Client, tenant_id: str, body: dict[str, object], field: str
) -> None:
    response = admin_api.post(f"/tenants/{tenant_id}/tokens", json=body)

    assert response.status_code == 400
    assert error_of(response)["field"] == field


# Master-key rotation


def test_rotating_the_master_key_reencrypts_stored_keys(
    sandbox: SandboxProcess, tmp_path: Path, full_key: str
) -> None:
    old, new = new_master_key(), new_master_key()
    database = tmp_path / "rotation.sqlite3"
    asyncio.run(_store_under(f"sqlite+aiosqlite:///{database}", old, full_key))
    admin = start_admin(sandbox, database, [new, old])
    try:
        headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        response = httpx.post(f"{admin.url}/api/rotate-master-key", headers=headers)
    finally:
        admin.stop()

    assert response.status_code == 200
    assert response.json() == {"rotated": 1}
    assert asyncio.run(_read_with(admin, new)) == full_key


async def _store_under(database_url: str, master_key: str, key: str) -> None:
    async with TenantStore(database_url, KeyVault([master_key])) as store:
        await store.create_tenant("rotating", "Rotating")
        await store.save_integration("rotating", key, Scopes.everything(), None)


async def _read_with(admin: AdminServer, master_key: str) -> str | None:
    async with admin.store([master_key]) as store:
        return await store.stripe_key("rotating")


# Admin token


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer wrong-token-of-the-right-length0",
        f"Bearer {ADMIN_TOKEN}x",
        f"Basic {ADMIN_TOKEN}",
        "Bearer",
    ],
)
def test_refuses_requests_without_the_admin_token(
    admin: AdminServer, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}

    responses = [
        httpx.get(f"{admin.url}/api/tenants", headers=headers),
        httpx.post(f"{admin.url}/api/rotate-master-key", headers=headers),
        httpx.delete(f"{admin.url}/api/tenants/any", headers=headers),
    ]

    for response in responses:
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert error_of(response)["code"] == "unauthenticated"


def test_the_api_ignores_a_signed_in_session(
    admin_browser_session: httpx.Client,
) -> None:
    # The session cookie opens the pages only; the API needs the token, so a
    # forged cross-site request cannot reach it.
    response = admin_browser_session.get("/api/tenants")

    assert response.status_code == 401
