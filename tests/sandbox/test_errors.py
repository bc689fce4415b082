"""Authentication, unknown routes and objects, parameter errors, headers."""

from __future__ import annotations

import base64

import httpx

from tests.sandbox_server import SandboxProcess

NO_KEY = (
    "You did not provide an API key. You need to provide your API key in the "
    "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
    "YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for "
    "details, or we can help at https://support.stripe.com/."
)


def test_missing_key_is_401(demo_sandbox: SandboxProcess) -> None:
    response = httpx.get(f"{demo_sandbox.url}/v1/customers")

    assert response.status_code == 401
    assert response.json() == {
        "error": {"type": "invalid_request_error", "message": NO_KEY}
    }


def test_live_and_publishable_keys_are_rejected_masked(
    demo_sandbox: SandboxProcess,
) -> None:
    for key in ("sk_live_abcdefgh1234", "pk_test_zzzzzzzz9876"):
        response = httpx.get(
            f"{demo_sandbox.url}/v1/customers",
            headers={"Authorization": f"Bearer {key}"},
        )

        assert response.status_code == 401
        message = response.json()["error"]["message"]
        assert message == f"Invalid API Key provided: {key[:8]}****{key[-4:]}"


def test_bearer_basic_and_restricted_keys_are_accepted(
    demo_sandbox: SandboxProcess,
) -> None:
    basic = base64.b64encode(b"sk_test_basic0001:").decode()
    headers = [
        {"Authorization": "Bearer sk_test_bearer0001"},
        {"Authorization": f"Basic {basic}"},
        {"Authorization": "Bearer rk_test_restricted01", "Stripe-Account": "acct_1X"},
    ]

    for header in headers:
        response = httpx.get(f"{demo_sandbox.url}/v1/products", headers=header)

        assert response.status_code == 200


def test_every_response_has_a_request_id_and_version(api: httpx.Client) -> None:
    default = api.get("/v1/products")
    pinned = api.get("/v1/products", headers={"Stripe-Version": "2025-03-31.basil"})
    missing = api.get("/v1/products/prod_missing")

    for response in (default, pinned, missing):
        assert response.headers["Request-Id"].startswith("req_")
    assert default.headers["Stripe-Version"] == "2026-10-28.endive"
    assert pinned.headers["Stripe-Version"] == "2025-03-31.basil"


def test_missing_object_is_404_resource_missing(api: httpx.Client) -> None:
    response = api.get("/v1/customers/cus_123")

    assert response.status_code == 404
    assert response.json() == {
        "error": {
            "type": "invalid_request_error",
            "code": "resource_missing",
            "doc_url": "https://stripe.com/docs/error-codes/resource-missing",
            "message": "No such customer: 'cus_123'",
            "param": "id",
        }
    }


def test_unknown_route_is_404(api: httpx.Client) -> None:
    response = api.get("/v1/foo")

    assert response.status_code == 404
    message = response.json()["error"]["message"]
    assert message.startswith("Unrecognized request URL (GET: /v1/foo).")


def test_unknown_parameter_is_named(api: httpx.Client) -> None:
    listed = api.get("/v1/customers", params={"foo": "1"})
    nested = api.post("/v1/customers", data={"address[planet]": "Mars"})

    assert listed.status_code == 400
    assert listed.json()["error"]["code"] == "parameter_unknown"
    assert listed.json()["error"]["message"] == "Received unknown parameter: foo"
    assert nested.json()["error"]["param"] == "address[planet]"


def test_missing_required_parameter(api: httpx.Client) -> None:
    response = api.post("/v1/payment_intents", data={"currency": "usd"})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parameter_missing"
    assert response.json()["error"]["message"] == "Missing required param: amount."
    assert response.json()["error"]["param"] == "amount"


def test_invalid_integer_and_boolean(api: httpx.Client) -> None:
    integer = api.post(
        "/v1/payment_intents", data={"amount": "9175.2", "currency": "usd"}
    )
    boolean = api.get("/v1/products", params={"active": "maybe"})

    assert integer.json()["error"]["code"] == "parameter_invalid_integer"
    assert integer.json()["error"]["message"] == "Invalid integer: 9175.2"
    assert boolean.status_code == 400
    assert boolean.json()["error"]["param"] == "active"


def test_body_reference_to_missing_object_is_400(api: httpx.Client) -> None:
    response = api.post("/v1/invoices", data={"customer": "cus_nobody"})

    assert response.status_code == 400
    assert response.json()["error"]["param"] == "customer"
    assert response.json()["error"]["message"] == "No such customer: 'cus_nobody'"
