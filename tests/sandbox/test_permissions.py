"""Restricted keys: seven resource types granted none, read or write, checked
before anything else with Stripe's 403."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import stripe

from gateway.sandbox.accounts import DEFAULT_ACCOUNT_ID
from gateway.sandbox.endpoints import ENDPOINTS
from gateway.sandbox.permissions import RESOURCES, endpoint_need
from tests.sandbox.conftest import API_KEY
from tests.sandbox_server import SandboxProcess, start_sandbox

EVERYTHING = {resource: "write" for resource in RESOURCES}

# resource, path (with {placeholders} filled from the demo data), permission
READS = [
    ("customers", "/v1/customers", "rak_customer_read"),
    ("customers", "/v1/customers/{customer}", "rak_customer_read"),
    ("charges", "/v1/charges", "rak_charge_read"),
    ("charges", "/v1/charges/{charge}", "rak_charge_read"),
    ("charges", "/v1/refunds", "rak_refund_read"),
    ("charges", "/v1/charges/{charge}/refunds", "rak_refund_read"),
    ("payment_intents", "/v1/payment_intents", "rak_payment_intent_read"),
    ("products", "/v1/products", "rak_product_read"),
    ("prices", "/v1/prices", "rak_plan_read"),
    ("invoices", "/v1/invoices", "rak_invoice_read"),
    ("invoices", "/v1/invoices/{invoice}/lines", "rak_invoice_read"),
    ("invoices", "/v1/invoiceitems", "rak_invoice_item_read"),
    ("invoices", "/v1/invoice_payments", "rak_invoice_read"),
    ("subscriptions", "/v1/subscriptions", "rak_subscription_read"),
    (
        "subscriptions",
        "/v1/subscription_items?subscription={subscription}",
        "rak_subscription_read",
    ),
    (
        "subscriptions",
        "/v1/customers/{customer}/subscriptions",
        "rak_subscription_read",
    ),
]

# resource, method, path, form, permission; each succeeds when allowed
WRITES: list[tuple[str, str, str, dict[str, str], str]] = [
    ("customers", "POST", "/v1/customers", {"name": "New"}, "rak_customer_write"),
    (
        "charges",
        "POST",
        "/v1/charges/{charge}",
        {"metadata[k]": "v"},
        "rak_charge_write",
    ),
    (
        "charges",
        "POST",
        "/v1/refunds/{refund}",
        {"metadata[k]": "v"},
        "rak_refund_write",
    ),
    (
        "payment_intents",
        "POST",
        "/v1/payment_intents",
        {"amount": "500", "currency": "usd"},
        "rak_payment_intent_write",
    ),
    ("products", "POST", "/v1/products", {"name": "New"}, "rak_product_write"),
    (
        "prices",
        "POST",
        "/v1/prices",
        {"product": "{product}", "currency": "usd", "unit_amount": "700"},
        "rak_plan_write",
    ),
    (
        "invoices",
        "POST",
        "/v1/invoices",
        {"customer": "{customer}"},
        "rak_invoice_write",
    ),
    (
        "invoices",
        "POST",
        "/v1/invoiceitems",
        {"customer": "{customer}", "amount": "300", "currency": "usd"},
        "rak_invoice_item_write",
    ),
    (
        "subscriptions",
        "POST",
        "/v1/subscriptions/{subscription}",
        {"metadata[k]": "v"},
        "rak_subscription_write",
    ),
]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxProcess]:
    server = start_sandbox(seed="demo")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def demo_ids(sandbox: SandboxProcess) -> dict[str, str]:
    """One id of each kind from the demo data, read with a full key."""
    with httpx.Client(base_url=sandbox.url, auth=(API_KEY, "")) as full:
        refund = full.get("/v1/refunds", params={"limit": 1}).json()["data"][0]
        subscription = full.get("/v1/subscriptions").json()["data"][0]
        invoice = full.get("/v1/invoices").json()["data"][0]
        product = full.get("/v1/products").json()["data"][0]
    return {
        "charge": refund["charge"],
        "refund": refund["id"],
        "customer": subscription["customer"],
        "subscription": subscription["id"],
        "invoice": invoice["id"],
        "product": product["id"],
    }


def send(
    sandbox: SandboxProcess,
    key: str,
    method: str,
    path: str,
    form: dict[str, str] | None = None,
    *,
    query: dict[str, str] | None = None,
) -> httpx.Response:
    return httpx.request(
        method, sandbox.url + path, auth=(key, ""), data=form, params=query
    )


def only(resource: str, level: str) -> dict[str, str]:
    return {resource: level}


def all_but(resource: str) -> dict[str, str]:
    return {**EVERYTHING, resource: "none"}


def expected_403(key: str, permission: str) -> dict[str, Any]:
    return {
        "error": {
            "type": "invalid_request_error",
            "message": (
                f"The provided key 'rk_test_*********{key[-4:]}' does not have the "
                "required permissions for this endpoint on account "
                f"'{DEFAULT_ACCOUNT_ID}'. Having the '{permission}' permission "
                "would allow this request to continue."
            ),
        }
    }


def test_a_restricted_key_lists_all_seven_permissions(
    sandbox: SandboxProcess,
) -> None:
    response = httpx.post(
        f"{sandbox.url}/_sandbox/restricted_keys",
        data={"permissions[customers]": "read", "permissions[prices]": "write"},
    )
    body = response.json()

    assert response.status_code == 200
    assert body["id"].startswith("rk_test_")
    assert body["account"] == DEFAULT_ACCOUNT_ID
    assert body["permissions"] == {
        "customers": "read",
        "charges": "none",
        "payment_intents": "none",
        "products": "none",
        "prices": "write",
        "invoices": "none",
        "subscriptions": "none",
    }


@pytest.mark.parametrize(("resource", "path", "permission"), READS)
def test_reads_need_read_of_their_resource_type(
    sandbox: SandboxProcess,
    demo_ids: dict[str, str],
    resource: str,
    path: str,
    permission: str,
) -> None:
    url = path.format(**demo_ids)
    allowed = sandbox.create_restricted_key(only(resource, "read"))
    denied = sandbox.create_restricted_key(all_but(resource))

    assert send(sandbox, allowed, "GET", url).status_code == 200
    response = send(sandbox, denied, "GET", url)
    assert response.status_code == 403
    assert response.json() == expected_403(denied, permission)


@pytest.mark.parametrize(("resource", "method", "path", "form", "permission"), WRITES)
def test_writes_need_write_of_their_resource_type(
    sandbox: SandboxProcess,
    demo_ids: dict[str, str],
    resource: str,
    method: str,
    path: str,
    form: dict[str, str],
    permission: str,
) -> None:
    url = path.format(**demo_ids)
    filled = {name: value.format(**demo_ids) for name, value in form.items()}
    writer = sandbox.create_restricted_key(only(resource, "write"))
    reader = sandbox.create_restricted_key({**EVERYTHING, resource: "read"})

    allowed = send(sandbox, writer, method, url, filled)
    denied = send(sandbox, reader, method, url, filled)

    assert allowed.status_code == 200, allowed.text
    assert denied.status_code == 403
    assert denied.json() == expected_403(reader, permission)


def test_delete_needs_write(sandbox: SandboxProcess) -> None:
    customer = send(sandbox, API_KEY, "POST", "/v1/customers", {"name": "Gone"})
    path = f"/v1/customers/{customer.json()['id']}"
    reader = sandbox.create_restricted_key(only("customers", "read"))
    writer = sandbox.create_restricted_key(only("customers", "write"))

    denied = send(sandbox, reader, "DELETE", path)
    deleted = send(sandbox, writer, "DELETE", path)

    assert denied.json() == expected_403(reader, "rak_customer_write")
    assert deleted.json()["deleted"] is True


def test_write_includes_read(sandbox: SandboxProcess, demo_ids: dict[str, str]) -> None:
    writer = sandbox.create_restricted_key(only("customers", "write"))

    listed = send(sandbox, writer, "GET", "/v1/customers")
    one = send(sandbox, writer, "GET", f"/v1/customers/{demo_ids['customer']}")

    assert listed.status_code == 200
    assert one.json()["id"] == demo_ids["customer"]


def test_permission_is_checked_before_the_object_exists(
    sandbox: SandboxProcess,
) -> None:
    lacking = sandbox.create_restricted_key(only("products", "read"))
    reader = sandbox.create_restricted_key(only("customers", "read"))

    denied = send(sandbox, lacking, "GET", "/v1/customers/cus_missing")
    missing = send(sandbox, reader, "GET", "/v1/customers/cus_missing")
    denied_write = send(sandbox, reader, "POST", "/v1/customers/cus_missing")

    assert denied.status_code == 403
    assert denied.json() == expected_403(lacking, "rak_customer_read")
    assert missing.status_code == 404
    assert denied_write.json() == expected_403(reader, "rak_customer_write")


def test_a_denied_write_is_not_kept_under_its_idempotency_key(
    sandbox: SandboxProcess,
) -> None:
    reader = sandbox.create_restricted_key(only("customers", "read"))
    headers = {"Idempotency-Key": "denied-then-retried"}

    first = httpx.post(
        f"{sandbox.url}/v1/customers", auth=(reader, ""), headers=headers
    )
    second = httpx.post(
        f"{sandbox.url}/v1/customers", auth=(reader, ""), headers=headers
    )

    assert first.status_code == second.status_code == 403
    assert "Idempotent-Replayed" not in second.headers


# granted resource types, path, expansion, what it lacks (resource, permission)
EXPANSIONS = [
    (["charges"], "/v1/charges", "data.customer", "customers", "rak_customer_read"),
    (
        ["charges"],
        "/v1/charges",
        "data.payment_intent",
        "payment_intents",
        "rak_payment_intent_read",
    ),
    (
        ["customers"],
        "/v1/customers",
        "data.subscriptions",
        "subscriptions",
        "rak_subscription_read",
    ),
    (
        ["subscriptions"],
        "/v1/subscriptions/{subscription}",
        "latest_invoice",
        "invoices",
        "rak_invoice_read",
    ),
    (
        ["subscriptions", "prices"],
        "/v1/subscriptions/{subscription}",
        "items.data.price.product",
        "products",
        "rak_product_read",
    ),
    (["prices"], "/v1/prices", "data.product", "products", "rak_product_read"),
]


@pytest.mark.parametrize(
    ("granted", "path", "expand", "lacking", "permission"), EXPANSIONS
)
def test_expanding_needs_read_of_the_expanded_type(
    sandbox: SandboxProcess,
    demo_ids: dict[str, str],
    granted: list[str],
    path: str,
    expand: str,
    lacking: str,
    permission: str,
) -> None:
    url = path.format(**demo_ids)
    grant = {resource: "read" for resource in granted}
    partial = sandbox.create_restricted_key(grant)
    complete = sandbox.create_restricted_key({**grant, lacking: "read"})

    plain = send(sandbox, partial, "GET", url)
    denied = send(sandbox, partial, "GET", url, query={"expand[]": expand})
    allowed = send(sandbox, complete, "GET", url, query={"expand[]": expand})

    assert plain.status_code == 200
    assert denied.status_code == 403
    assert denied.json() == expected_403(partial, permission)
    assert allowed.status_code == 200, allowed.text


def test_includables_of_the_same_type_need_no_more(
    sandbox: SandboxProcess, demo_ids: dict[str, str]
) -> None:
    charges = sandbox.create_restricted_key(only("charges", "read"))
    invoices = sandbox.create_restricted_key(only("invoices", "read"))

    charge = send(
        sandbox,
        charges,
        "GET",
        f"/v1/charges/{demo_ids['charge']}",
        query={"expand[]": "refunds"},
    )
    invoice = send(
        sandbox,
        invoices,
        "GET",
        f"/v1/invoices/{demo_ids['invoice']}",
        query={"expand[]": "payments"},
    )

    assert charge.json()["refunds"]["object"] == "list"
    assert invoice.json()["payments"]["object"] == "list"


@pytest.mark.parametrize(
    ("form", "param", "message"),
    [
        (
            {"permissions[disputes]": "read"},
            "permissions[disputes]",
            "Received unknown parameter: permissions[disputes]",
        ),
        (
            {"permissions[customers]": "admin"},
            "permissions[customers]",
            "Invalid permissions[customers]: must be one of `none`, `read`, `write`",
        ),
        (
            {"colour": "blue"},
            "colour",
            "Received unknown parameter: colour",
        ),
    ],
)
def test_bad_permission_params_are_400(
    sandbox: SandboxProcess, form: dict[str, str], param: str, message: str
) -> None:
    response = httpx.post(f"{sandbox.url}/_sandbox/restricted_keys", data=form)

    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["type"], error["param"], error["message"]) == (
        "invalid_request_error",
        param,
        message,
    )


def test_permissions_can_be_sent_as_json(sandbox: SandboxProcess) -> None:
    response = httpx.post(
        f"{sandbox.url}/_sandbox/restricted_keys",
        json={"account": DEFAULT_ACCOUNT_ID, "permissions": {"invoices": "read"}},
    )
    key = response.json()["id"]

    assert send(sandbox, key, "GET", "/v1/invoices").status_code == 200
    assert send(sandbox, key, "GET", "/v1/customers").status_code == 403


def test_denied_calls_are_logged(sandbox: SandboxProcess) -> None:
    key = sandbox.create_restricted_key({})
    sandbox.reset_requests()

    send(sandbox, key, "GET", "/v1/customers")
    send(sandbox, key, "POST", "/v1/products", {"name": "No"})
    log = sandbox.requests()
    sandbox.reset_requests()

    assert [(entry["method"], entry["path"]) for entry in log] == [
        ("GET", "/v1/customers"),
        ("POST", "/v1/products"),
    ]
    assert {entry["account"] for entry in log} == {DEFAULT_ACCOUNT_ID}


def test_the_sdk_raises_permission_error(sandbox: SandboxProcess) -> None:
    key = sandbox.create_restricted_key(only("products", "read"))
    client = stripe.StripeClient(
        key, base_addresses={"api": sandbox.url}, max_network_retries=0
    )

    products = client.v1.products.list({"limit": 1})
    with pytest.raises(stripe.PermissionError) as raised:
        client.v1.customers.retrieve("cus_missing")

    assert len(products.data) == 1
    assert raised.value.http_status == 403
    assert raised.value.code is None
    assert "'rak_customer_read' permission" in raised.value.user_message


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: f"{e.method} {e.path}")
def test_every_endpoint_maps_to_a_permission(endpoint: Any) -> None:
    need = endpoint_need(endpoint)

    assert need.scope.resource in RESOURCES
    assert need.level == ("read" if endpoint.method == "GET" else "write")
