"""Stripe failing in each way the gateway must survive.

Each fault is injected into the sandbox; how often the gateway called, and with
which idempotency key, is read from the sandbox's request log.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import SANDBOX_KEY
from tests.sandbox_server import SandboxProcess
from tests.servers import GraphQL, graphql_client, start_gateway

NETWORK_RETRIES = 2
LOCK_RETRIES = 2
CALL_TIMEOUT_MS = 1000

ADA = "ada.lovelace@example.com"

CUSTOMER_WITH_CHARGES = """
query ($id: ID!) {
  customer(id: $id) { email charges(first: 3) { nodes { id } } }
  products(first: 2) { nodes { id } }
}
"""

CUSTOMER_CREATE = """
mutation ($input: CustomerCreateInput!) {
  customerCreate(input: $input) { customer { id email } userErrors { code } }
}
"""

REFUND_CREATE = """
mutation ($input: RefundCreateInput!) {
  refundCreate(input: $input) { refund { id charge { id } } userErrors { code } }
}
"""

CUSTOMER_BY_EMAIL = """
query ($email: String!) { customers(email: $email) { nodes { id } } }
"""


@pytest.fixture(scope="module")
def resilient(sandbox: SandboxProcess) -> Iterator[GraphQL]:
    """A gateway with small, known retry counts and a short call timeout."""
    gateway = start_gateway(
        {
            "STRIPE_API_KEY": SANDBOX_KEY,
            "STRIPE_API_BASE": sandbox.url,
            "STRIPE_TIMEOUT": str(CALL_TIMEOUT_MS / 1000),
            "STRIPE_MAX_NETWORK_RETRIES": str(NETWORK_RETRIES),
            "STRIPE_LOCK_RETRIES": str(LOCK_RETRIES),
        }
    )
    yield graphql_client(gateway.url)
    gateway.stop()


@pytest.fixture(scope="module")
def hurried(sandbox: SandboxProcess) -> Iterator[GraphQL]:
    """A gateway that gives each GraphQL request one second of Stripe's time."""
    gateway = start_gateway(
        {
            "STRIPE_API_KEY": SANDBOX_KEY,
            "STRIPE_API_BASE": sandbox.url,
            "GATEWAY_REQUEST_TIMEOUT": "1",
        }
    )
    yield graphql_client(gateway.url)
    gateway.stop()


@pytest.fixture(scope="module")
def ada(resilient: GraphQL) -> str:
    customer: str = resilient(CUSTOMER_BY_EMAIL, email=ADA)["data"]["customers"][
        "nodes"
    ][0]["id"]
    return customer


@pytest.fixture(autouse=True)
def quiet_sandbox(sandbox: SandboxProcess) -> Iterator[None]:
    sandbox.reset_requests()
    yield
    sandbox.clear_faults()


def inject(sandbox: SandboxProcess, **fault: Any) -> None:
    httpx.post(f"{sandbox.url}/_sandbox/faults", json=fault).raise_for_status()


def calls_to(sandbox: SandboxProcess, method: str, path: str) -> list[dict[str, Any]]:
    return [
        entry
        for entry in sandbox.requests()
        if entry["method"] == method and entry["path"] == path
    ]


READ_FAULTS = {
    "latency": ({"kind": "latency", "delay_ms": 300}, ["latency"], None),
    "rate limit": ({"kind": "rate_limit", "count": 5}, ["rate_limit"], "RATE_LIMITED"),
    "lock timeout, cleared": (
        {"kind": "lock_timeout", "count": LOCK_RETRIES},
        ["lock_timeout"] * LOCK_RETRIES + [None],
        None,
    ),
    "lock timeout, persistent": (
        {"kind": "lock_timeout", "count": 10},
        ["lock_timeout"] * (1 + LOCK_RETRIES),
        "RATE_LIMITED",
    ),
    "500 once": ({"kind": "api_error"}, ["api_error", None], None),
    "500, persistent": (
        {"kind": "api_error", "count": 10},
        ["api_error"] * (1 + NETWORK_RETRIES),
        "UPSTREAM_UNAVAILABLE",
    ),
    "500, Stripe says not to retry": (
        {"kind": "api_error", "count": 10, "should_retry": False},
        ["api_error"],
        "UPSTREAM_UNAVAILABLE",
    ),
    "connection reset": ({"kind": "reset"}, ["reset", None], None),
}


@pytest.mark.parametrize(
    ("fault", "faults_logged", "code"), READ_FAULTS.values(), ids=READ_FAULTS.keys()
)
def test_a_fault_on_one_list_is_retried_as_far_as_it_may_and_fails_only_its_field(
    resilient: GraphQL,
    sandbox: SandboxProcess,
    ada: str,
    fault: dict[str, Any],
    faults_logged: list[str | None],
    code: str | None,
) -> None:
    inject(sandbox, path_prefix="/v1/charges", method="GET", **fault)

    body = resilient(CUSTOMER_WITH_CHARGES, id=ada)

    calls = calls_to(sandbox, "GET", "/v1/charges")
    assert [call["fault"] for call in calls] == faults_logged
    assert body["data"]["customer"]["email"] == ADA
    assert len(body["data"]["products"]["nodes"]) == 2
    if code is None:
        assert "errors" not in body
        assert body["data"]["customer"]["charges"]["nodes"]
    else:
        [error] = body["errors"]
        assert error["path"] == ["customer", "charges"]
        assert error["extensions"]["code"] == code
        assert body["data"]["customer"]["charges"] is None


Write = Callable[[GraphQL, SandboxProcess], tuple[str, list[str]]]
"""Runs one mutation through the gateway: (what it made, what Stripe now holds)."""


def create_customer(keyed: bool) -> Write:
    def write(gateway: GraphQL, sandbox: SandboxProcess) -> tuple[str, list[str]]:
        email = f"{uuid.uuid4().hex[:10]}@example.com"
        key = uuid.uuid4().hex if keyed else None
        written = gateway(
            CUSTOMER_CREATE, input={"email": email, "idempotencyKey": key}
        )
        found = _stripe_get(sandbox, "/v1/customers", email=email)
        return written["data"]["customerCreate"]["customer"]["id"], found

    return write


def create_refund(gateway: GraphQL, sandbox: SandboxProcess) -> tuple[str, list[str]]:
    charge = _paid_charge(sandbox)
    written = gateway(REFUND_CREATE, input={"charge": charge})
    found = _stripe_get(sandbox, "/v1/refunds", charge=charge)
    return written["data"]["refundCreate"]["refund"]["id"], found


def _paid_charge(sandbox: SandboxProcess) -> str:
    intent = httpx.post(
        f"{sandbox.url}/v1/payment_intents",
        data={
            "amount": "1500",
            "currency": "usd",
            "payment_method": "pm_card_visa",
            "confirm": "true",
        },
        auth=(SANDBOX_KEY, ""),
    ).json()
    charge: str = intent["latest_charge"]
    return charge


def _stripe_get(sandbox: SandboxProcess, path: str, **filters: str) -> list[str]:
    response = httpx.get(f"{sandbox.url}{path}", params=filters, auth=(SANDBOX_KEY, ""))
    return [found["id"] for found in response.json()["data"]]


WRITES = {
    "customer": ("/v1/customers", create_customer(keyed=False)),
    "customer with the client's key": ("/v1/customers", create_customer(keyed=True)),
    "refund": ("/v1/refunds", create_refund),
}

WRITE_FAULTS = {
    "connection reset": ({"kind": "reset"}, ["reset", None]),
    "timeout after the write": (
        {"kind": "after_apply_delay", "delay_ms": CALL_TIMEOUT_MS * 2},
        ["after_apply_delay", None],
    ),
    "lock timeout": ({"kind": "lock_timeout"}, ["lock_timeout", None]),
}


@pytest.mark.parametrize(("path", "write"), WRITES.values(), ids=WRITES.keys())
@pytest.mark.parametrize(
    ("fault", "faults_logged"), WRITE_FAULTS.values(), ids=WRITE_FAULTS.keys()
)
def test_a_retried_write_is_applied_once(
    resilient: GraphQL,
    sandbox: SandboxProcess,
    path: str,
    write: Write,
    fault: dict[str, Any],
    faults_logged: list[str | None],
) -> None:
    inject(sandbox, path_prefix=path, method="POST", **fault)

    made, held = write(resilient, sandbox)

    calls = calls_to(sandbox, "POST", path)
    assert [call["fault"] for call in calls] == faults_logged
    assert len({call["idempotency_key"] for call in calls}) == 1
    assert calls[0]["idempotency_key"]
    assert held == [made]


def test_a_call_past_the_request_deadline_times_out_and_its_siblings_resolve(
    hurried: GraphQL, sandbox: SandboxProcess, ada: str
) -> None:
    inject(sandbox, kind="latency", path_prefix="/v1/charges", delay_ms=6000)
    started = time.monotonic()

    body = hurried(CUSTOMER_WITH_CHARGES, id=ada)

    # Generous: the fault alone would hold the call for six seconds.
    assert time.monotonic() - started < 4.5
    [error] = body["errors"]
    assert error["path"] == ["customer", "charges"]
    assert error["extensions"]["code"] == "UPSTREAM_TIMEOUT"
    assert body["data"]["customer"]["email"] == ADA
    assert len(body["data"]["products"]["nodes"]) == 2
