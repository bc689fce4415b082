"""The admin's pages over HTTP: sign-in, the session cookie and CSRF refusals."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from gateway.tenants.keys import mask_key
from tests.admin.conftest import ADMIN_TOKEN, AdminServer, csrf_of
from tests.sandbox_server import SandboxProcess

REFUSED_KEY = "rk_live_51HrefusedByThePage0001"


@pytest.fixture
def visitor(admin: AdminServer) -> Iterator[httpx.Client]:
    """A browser that has not signed in."""
    with httpx.Client(base_url=admin.url, timeout=30) as client:
        yield client


def checked(page: str, resource: str, level: str) -> bool:
    radio = re.search(rf'<input [^>]*id="scope-{resource}-{level}"[^>]*>', page)
    return radio is not None and " checked" in radio.group(0)


def stripe_form(
    session: httpx.Client, tenant_id: str, key: str, **scopes: str
) -> dict[str, str]:
    csrf = csrf_of(session.get(f"/tenants/{tenant_id}/stripe").text)
    fields = {f"scope-{resource}": level for resource, level in scopes.items()}
    return {"csrf": csrf, "key": key, "account": "", **fields}


def test_pages_send_a_visitor_to_sign_in(visitor: httpx.Client) -> None:
    for path in ("/tenants", "/tenants/acme/stripe"):
        response = visitor.get(path)

        assert response.status_code == 303
        assert response.headers["location"].endswith("/admin/login")


def test_signing_in_sets_a_strict_http_only_session_cookie(
    visitor: httpx.Client,
) -> None:
    csrf = csrf_of(visitor.get("/login").text)

    response = visitor.post("/login", data={"csrf": csrf, "token": ADMIN_TOKEN})

    assert response.status_code == 303
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    assert ADMIN_TOKEN.lower() not in cookie
    assert visitor.get("/tenants").status_code == 200


def test_signing_in_refuses_a_wrong_token(visitor: httpx.Client) -> None:
    csrf = csrf_of(visitor.get("/login").text)

    response = visitor.post("/login", data={"csrf": csrf, "token": "not-the-token"})

    assert response.status_code == 401
    assert "not the admin token" in response.text
    assert visitor.get("/tenants").status_code == 303


def test_signing_in_needs_the_login_forms_csrf_token(visitor: httpx.Client) -> None:
    visitor.get("/login")

    response = visitor.post("/login", data={"token": ADMIN_TOKEN})

    assert response.status_code == 403
    assert visitor.get("/tenants").status_code == 303


@pytest.mark.parametrize("csrf", [None, "", "forged-token"])
def test_a_form_without_the_sessions_csrf_token_is_refused(
    admin_browser_session: httpx.Client,
    admin_api: httpx.Client,
    tenant_id: str,
    full_key: str,
    csrf: str | None,
) -> None:
    form = stripe_form(admin_browser_session, tenant_id, full_key, customers="read")
    del form["csrf"]
    if csrf is not None:
        form["csrf"] = csrf

    saved = admin_browser_session.post(f"/tenants/{tenant_id}/stripe", data=form)
    created = admin_browser_session.post(
        "/tenants", data={"id": "csrf-victim", "name": "Victim"}
    )

    assert saved.status_code == 403
    assert created.status_code == 403
    assert full_key not in saved.text
    assert admin_api.get(f"/tenants/{tenant_id}").json()["integration"] is None
    assert admin_api.get("/tenants/csrf-victim").status_code == 404


def test_a_form_posted_without_a_session_is_refused(
    visitor: httpx.Client, admin_api: httpx.Client, tenant_id: str, full_key: str
) -> None:
    csrf = csrf_of(visitor.get("/login").text)

    response = visitor.post(
        f"/tenants/{tenant_id}/stripe",
        data={"csrf": csrf, "key": full_key, "scope-customers": "read"},
    )

    assert response.status_code == 403
    assert admin_api.get(f"/tenants/{tenant_id}").json()["integration"] is None


def test_creates_a_tenant_from_the_tenants_page(
    admin_browser_session: httpx.Client,
) -> None:
    csrf = csrf_of(admin_browser_session.get("/tenants").text)

    created = admin_browser_session.post(
        "/tenants", data={"csrf": csrf, "id": "page-made", "name": "Page <Made>"}
    )
    duplicate = admin_browser_session.post(
        "/tenants", data={"csrf": csrf, "id": "page-made", "name": "Again"}
    )
    listing = admin_browser_session.get("/tenants").text

    assert created.status_code == 303
    assert created.headers["location"].endswith("/admin/tenants/page-made/stripe")
    assert duplicate.status_code == 409
    assert "already exists" in duplicate.text
    assert "Page &lt;Made&gt;" in listing
    assert "Page <Made>" not in listing


def test_saving_shows_the_masked_key_and_the_permission_check(
    admin_browser_session: httpx.Client, tenant_id: str, full_key: str
) -> None:
    form = stripe_form(
        admin_browser_session, tenant_id, full_key, customers="read", prices="write"
    )

    page = admin_browser_session.post(f"/tenants/{tenant_id}/stripe", data=form)

    assert page.status_code == 200
    assert mask_key(full_key) in page.text
    assert 'id="probe-customers">Granted' in page.text
    assert 'id="probe-prices">Granted' in page.text
    assert 'id="probe-invoices"' not in page.text
    assert checked(page.text, "prices", "write")
    assert checked(page.text, "customers", "read")
    assert checked(page.text, "invoices", "none")
    assert full_key not in page.text
    assert full_key[-8:] not in page.text


def test_a_refused_key_is_not_echoed_back_into_the_form(
    admin_browser_session: httpx.Client, tenant_id: str
) -> None:
    form = stripe_form(admin_browser_session, tenant_id, REFUSED_KEY, customers="read")

    page = admin_browser_session.post(f"/tenants/{tenant_id}/stripe", data=form)

    assert page.status_code == 422
    assert "Stripe refused this key" in page.text
    assert REFUSED_KEY not in page.text
    assert REFUSED_KEY[-8:] not in page.text


def test_a_key_lacking_a_scope_shows_what_is_missing(
    admin_browser_session: httpx.Client, sandbox: SandboxProcess, tenant_id: str
) -> None:
    key = sandbox.create_restricted_key({"customers": "read"})
    form = stripe_form(
        admin_browser_session, tenant_id, key, customers="read", invoices="read"
    )

    page = admin_browser_session.post(f"/tenants/{tenant_id}/stripe", data=form)

    assert page.status_code == 422
    assert 'id="probe-customers">Granted' in page.text
    assert 'id="probe-invoices">Missing' in page.text
    assert 'id="no-integration"' in page.text
    assert key not in page.text


def test_a_secret_key_is_saved_with_a_warning(
    admin_browser_session: httpx.Client, tenant_id: str
) -> None:
    key = "sk_test_gatewaypagesecret0001"
    form = stripe_form(admin_browser_session, tenant_id, key, customers="read")

    page = admin_browser_session.post(f"/tenants/{tenant_id}/stripe", data=form)

    assert page.status_code == 200
    assert 'id="warning"' in page.text
    assert "unrestricted secret key" in page.text
    assert key not in page.text


def test_deletes_the_integration_from_the_page(
    admin_browser_session: httpx.Client,
    admin_api: httpx.Client,
    tenant_id: str,
    full_key: str,
) -> None:
    admin_api.put(
        f"/tenants/{tenant_id}/stripe",
        json={"key": full_key, "scopes": {"customers": "read"}},
    )
    csrf = csrf_of(admin_browser_session.get(f"/tenants/{tenant_id}/stripe").text)

    response = admin_browser_session.post(
        f"/tenants/{tenant_id}/stripe/delete", data={"csrf": csrf}
    )

    assert response.status_code == 303
    assert admin_api.get(f"/tenants/{tenant_id}").json()["integration"] is None


def test_pages_forbid_framing_scripts_and_caching(
    admin_browser_session: httpx.Client,
) -> None:
    response = admin_browser_session.get("/tenants")

    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["cache-control"] == "no-store"
