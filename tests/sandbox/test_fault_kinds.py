"""Each kind of fault of /_sandbox/faults, and Stripe's own rate limit of
/_sandbox/rate_limit, seen by a client over HTTP: what it answers, whether the
request was applied, and what the request log records."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from gateway.sandbox.faults import LOCK_TIMEOUT_MESSAGE
from tests.sandbox_server import SandboxProcess

DELAY_MS = 300


@pytest.fixture
def marker() -> str:
    """A customer name no other test uses, to count what a request created."""
    return f"fault-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def rate_limit(blank_sandbox: SandboxProcess) -> Iterator[str]:
    url = f"{blank_sandbox.url}/_sandbox/rate_limit"
    yield url
    httpx.delete(url).raise_for_status()


@pytest.fixture
def account(blank_sandbox: SandboxProcess) -> Iterator[httpx.Client]:
    """A client on an account of its own, so a limit on it spares other tests."""
    key = blank_sandbox.create_account()["secret_key"]
    with httpx.Client(base_url=blank_sandbox.url, auth=(key, "")) as client:
        yield client


def _inject(faults: str, **fault: Any) -> None:
    httpx.post(faults, json=fault).raise_for_status()


def _create(client: httpx.Client, name: str, key: str) -> httpx.Response:
    return client.post(
        "/v1/customers", data={"name": name}, headers={"Idempotency-Key": key}
    )


def _named(client: httpx.Client, name: str) -> int:
    listed = client.get("/v1/customers", params={"limit": 100}).json()["data"]
    return sum(1 for customer in listed if customer["name"] == name)


def _logged(sandbox: SandboxProcess, key: str) -> list[str | None]:
    """The fault of each logged request sent with idempotency key `key`."""
    return [r["fault"] for r in sandbox.requests() if r["idempotency_key"] == key]


def test_latency_delays_the_answer_of_an_applied_request(
    faults: str, blank: httpx.Client, blank_sandbox: SandboxProcess, marker: str
) -> None:
    _inject(faults, kind="latency", path_prefix="/v1/customers", delay_ms=DELAY_MS)

    started = time.monotonic()
    created = _create(blank, marker, marker)
    elapsed = time.monotonic() - started

    assert created.status_code == 200
    assert elapsed >= DELAY_MS / 1000
    assert _named(blank, marker) == 1
    assert _logged(blank_sandbox, marker) == ["latency"]


@pytest.mark.parametrize(
    ("kind", "status", "error"),
    [
        (
            "rate_limit",
            429,
            {
                "type": "invalid_request_error",
                "code": "rate_limit",
                "doc_url": "https://stripe.com/docs/error-codes/rate-limit",
                "message": "Request rate limit exceeded.",
            },
        ),
        (
            "lock_timeout",
            429,
            {
                "type": "invalid_request_error",
                "code": "lock_timeout",
                "doc_url": "https://stripe.com/docs/error-codes/lock-timeout",
                "message": LOCK_TIMEOUT_MESSAGE,
            },
        ),
        (
            "api_error",
            500,
            {
                "type": "api_error",
                "message": "An unknown error occurred while processing your request.",
            },
        ),
    ],
)
def test_a_refusal_answers_in_stripes_shape_and_applies_nothing(
    faults: str,
    blank: httpx.Client,
    blank_sandbox: SandboxProcess,
    marker: str,
    kind: str,
    status: int,
    error: dict[str, str],
) -> None:
    _inject(faults, kind=kind, path_prefix="/v1/customers", method="POST")

    refused = _create(blank, marker, marker)
    retried = _create(blank, marker, marker)

    assert refused.status_code == status
    assert refused.json() == {"error": error}
    assert refused.headers["Request-Id"].startswith("req_")
    assert "Stripe-Should-Retry" not in refused.headers
    assert retried.status_code == 200
    assert "Idempotent-Replayed" not in retried.headers
    assert _named(blank, marker) == 1
    assert _logged(blank_sandbox, marker) == [kind, None]


@pytest.mark.parametrize("should_retry", [True, False])
def test_a_refusal_can_say_whether_to_retry(
    faults: str, blank: httpx.Client, should_retry: bool
) -> None:
    _inject(faults, kind="lock_timeout", should_retry=should_retry)

    refused = blank.get("/v1/customers")

    assert refused.status_code == 429
    assert refused.headers["Stripe-Should-Retry"] == str(should_retry).lower()


def test_reset_applies_the_request_and_drops_the_connection(
    faults: str, blank: httpx.Client, blank_sandbox: SandboxProcess, marker: str
) -> None:
    _inject(faults, kind="reset", path_prefix="/v1/customers", method="POST")

    with pytest.raises(httpx.RemoteProtocolError):
        _create(blank, marker, marker)
    applied = _named(blank, marker)
    retried = _create(blank, marker, marker)

    assert applied == 1
    assert retried.status_code == 200
    assert retried.headers["Idempotent-Replayed"] == "true"
    assert _named(blank, marker) == 1
    assert _logged(blank_sandbox, marker) == ["reset", None]


def test_after_apply_delay_answers_after_the_clients_timeout(
    faults: str, blank: httpx.Client, blank_sandbox: SandboxProcess, marker: str
) -> None:
    _inject(faults, kind="after_apply_delay", method="POST", delay_ms=DELAY_MS)

    with pytest.raises(httpx.ReadTimeout):
        blank.post(
            "/v1/customers",
            data={"name": marker},
            headers={"Idempotency-Key": marker},
            timeout=DELAY_MS / 1000 / 3,
        )
    applied = _named(blank, marker)
    retried = _create(blank, marker, marker)

    assert applied == 1
    assert retried.headers["Idempotent-Replayed"] == "true"
    assert _logged(blank_sandbox, marker) == ["after_apply_delay", None]


def test_a_fault_strikes_its_count_of_matching_requests_only(
    faults: str, blank: httpx.Client
) -> None:
    _inject(faults, kind="api_error", path_prefix="/v1/products", count=2)

    other_path = blank.get("/v1/customers").status_code
    struck = [blank.get("/v1/products").status_code for _ in range(3)]

    assert other_path == 200
    assert struck == [500, 500, 200]
    assert httpx.get(faults).json() == {"faults": []}


def test_a_fault_matches_its_method_only(
    faults: str, blank: httpx.Client, marker: str
) -> None:
    _inject(faults, kind="api_error", method="DELETE")

    created = _create(blank, marker, marker)
    deleted = blank.delete(f"/v1/customers/{created.json()['id']}")

    assert created.status_code == 200
    assert deleted.status_code == 500
    assert _named(blank, marker) == 1


def test_a_probable_fault_strikes_by_chance_until_cleared(
    faults: str, blank: httpx.Client
) -> None:
    _inject(faults, kind="api_error", path_prefix="/v1/products", probability=0)
    _inject(faults, kind="rate_limit", path_prefix="/v1/products", probability=1.0)
    listed = httpx.get(faults).json()["faults"]

    struck = {blank.get("/v1/products").status_code for _ in range(3)}
    httpx.delete(faults).raise_for_status()
    cleared = blank.get("/v1/products").status_code

    assert [(f["kind"], f["count"]) for f in listed] == [
        ("api_error", None),
        ("rate_limit", None),
    ]
    assert struck == {429}
    assert cleared == 200


@pytest.mark.parametrize(
    ("fault", "param"),
    [
        ({"path_prefix": "/v1/"}, "kind"),
        ({"kind": "flood"}, "kind"),
        ({"kind": "latency"}, "delay_ms"),
        ({"kind": "latency", "delay_ms": "soon"}, "delay_ms"),
        ({"kind": "latency", "delay_ms": -1}, "delay_ms"),
        ({"kind": "reset", "method": "PUT"}, "method"),
        ({"kind": "reset", "count": 0}, "count"),
        ({"kind": "reset", "probability": 1.5}, "probability"),
        ({"kind": "reset", "probability": "often"}, "probability"),
        ({"kind": "reset", "should_retry": "maybe"}, "should_retry"),
        ({"kind": "reset", "after_apply_delay_ms": 5}, "after_apply_delay_ms"),
        ({"kind": "reset", "colour": "red"}, "colour"),
    ],
)
def test_an_invalid_fault_is_refused_naming_the_field(
    faults: str, fault: dict[str, Any], param: str
) -> None:
    refused = httpx.post(faults, json=fault)

    assert refused.status_code == 400
    assert refused.json()["error"]["type"] == "invalid_request_error"
    assert refused.json()["error"]["param"] == param
    assert httpx.get(faults).json() == {"faults": []}


def test_the_rate_limit_refuses_an_accounts_requests_beyond_its_rate(
    rate_limit: str, account: httpx.Client, blank: httpx.Client
) -> None:
    httpx.post(rate_limit, json={"per_second": 1}).raise_for_status()

    # A bucket of one token, refilled once a second: the second of two
    # requests in a row finds it empty unless a whole second passed between.
    answers = [account.get("/v1/products") for _ in range(5)]
    statuses = [answer.status_code for answer in answers]
    limited = next(answer for answer in answers if answer.status_code == 429)
    other_account = blank.get("/v1/products").status_code
    httpx.delete(rate_limit).raise_for_status()
    lifted = account.get("/v1/products").status_code

    assert statuses[0] == 200
    assert limited.json()["error"]["code"] == "rate_limit"
    assert other_account == 200
    assert lifted == 200


def test_the_rate_limit_is_validated(rate_limit: str) -> None:
    refused = httpx.post(rate_limit, json={"per_second": 0})
    missing = httpx.post(rate_limit, json={})

    assert (
        refused.status_code == 400 and refused.json()["error"]["param"] == "per_second"
    )
    assert (
        missing.status_code == 400 and missing.json()["error"]["param"] == "per_second"
    )
    assert httpx.get(rate_limit).json() == {"per_second": None}


def test_the_request_log_names_idempotency_keys_and_faults(
    faults: str, blank: httpx.Client, blank_sandbox: SandboxProcess, marker: str
) -> None:
    blank_sandbox.reset_requests()
    _inject(faults, kind="api_error", method="GET")

    blank.get("/v1/customers")
    _create(blank, marker, marker)
    log = blank_sandbox.requests()

    assert [(r["method"], r["idempotency_key"], r["fault"]) for r in log] == [
        ("GET", None, "api_error"),
        ("POST", marker, None),
    ]
