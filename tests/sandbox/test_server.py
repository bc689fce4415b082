"""Starting the sandbox, its introspection routes, latency and the seed's
determinism."""

from __future__ import annotations

import time
from typing import Any

import httpx

from gateway.sandbox.accounts import DEFAULT_ACCOUNT_ID
from gateway.sandbox.server import start_in_thread
from tests.sandbox.conftest import API_KEY
from tests.sandbox_server import SandboxProcess

# path -> extra params; `status=all` so canceled subscriptions are compared too
LISTS: dict[str, dict[str, Any]] = {
    "/v1/customers": {"expand[]": ["data.subscriptions"]},
    "/v1/products": {},
    "/v1/prices": {},
    "/v1/payment_intents": {},
    "/v1/charges": {"expand[]": ["data.refunds"]},
    "/v1/refunds": {},
    "/v1/invoices": {"expand[]": ["data.payments"]},
    "/v1/invoiceitems": {},
    "/v1/invoice_payments": {},
    "/v1/subscriptions": {"status": "all", "expand[]": ["data.latest_invoice"]},
}


def snapshot(url: str) -> dict[str, Any]:
    with httpx.Client(base_url=url, auth=(API_KEY, "")) as client:
        return {
            path: client.get(path, params={"limit": 100, **params}).json()
            for path, params in LISTS.items()
        }


def test_the_demo_seed_is_identical_on_every_start() -> None:
    first = start_in_thread(seed="demo")
    second = start_in_thread(seed="demo")
    try:
        one, two = snapshot(first.url), snapshot(second.url)
    finally:
        first.stop()
        second.stop()

    assert one == two
    assert len(one["/v1/customers"]["data"]) == 25


def test_seed_none_starts_empty() -> None:
    sandbox = start_in_thread(seed=None)
    try:
        lists = snapshot(sandbox.url)
    finally:
        sandbox.stop()

    assert all(body["data"] == [] for body in lists.values())


def test_start_in_thread_serves_on_loopback() -> None:
    sandbox = start_in_thread()
    try:
        health = httpx.get(f"{sandbox.url}/_sandbox/healthz").json()
    finally:
        sandbox.stop()

    assert sandbox.url.startswith("http://127.0.0.1:")
    assert health == {"ok": True}


def test_latency_is_added_to_v1_requests_only() -> None:
    sandbox = start_in_thread(seed=None, latency_ms=200)
    try:
        with httpx.Client(base_url=sandbox.url, auth=(API_KEY, "")) as client:
            started = time.monotonic()
            client.get("/v1/customers")
            slow = time.monotonic() - started
            started = time.monotonic()
            client.get("/_sandbox/healthz")
            fast = time.monotonic() - started
    finally:
        sandbox.stop()

    assert slow >= 0.2
    assert fast < 0.2


def test_request_log_counts_v1_calls_in_order(demo_sandbox: SandboxProcess) -> None:
    demo_sandbox.reset_requests()
    with httpx.Client(base_url=demo_sandbox.url, auth=(API_KEY, "")) as client:
        client.get("/v1/customers", params={"limit": 2})
        client.get("/v1/customers/cus_missing", params={"expand[0]": "subscriptions"})
        client.get("/_sandbox/healthz")

    log = demo_sandbox.requests()
    count = demo_sandbox.request_count()
    demo_sandbox.reset_requests()

    assert count == 2
    assert log == [
        {
            "method": "GET",
            "path": "/v1/customers",
            "query": "limit=2",
            "account": DEFAULT_ACCOUNT_ID,
            "idempotency_key": None,
            "fault": None,
        },
        {
            "method": "GET",
            "path": "/v1/customers/cus_missing",
            "query": "expand%5B0%5D=subscriptions",
            "account": DEFAULT_ACCOUNT_ID,
            "idempotency_key": None,
            "fault": None,
        },
    ]
    assert demo_sandbox.request_count() == 0
