"""Faults in their first form, still accepted: a write applied, then an answer
late enough for the client's timeout to fire first. Every other kind of fault
is in test_fault_kinds.py."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.sandbox_server import SandboxProcess

DELAY_MS = 600


def test_a_delayed_write_is_applied_before_the_timeout(
    faults: str, blank: httpx.Client
) -> None:
    fault = {
        "path_prefix": "/v1/customers",
        "method": "POST",
        "after_apply_delay_ms": DELAY_MS,
        "count": 1,
    }
    listed = httpx.post(faults, json=fault).json()["faults"]
    headers = {"Idempotency-Key": "fault-timeout-1"}

    with pytest.raises(httpx.ReadTimeout):
        blank.post("/v1/customers", data={"name": "Late"}, headers=headers, timeout=0.2)
    retry = blank.post("/v1/customers", data={"name": "Late"}, headers=headers)
    started = time.monotonic()
    unaffected = blank.post("/v1/customers", data={"name": "Prompt"})
    elapsed = time.monotonic() - started

    assert listed == [_listed(fault)]
    assert retry.status_code == 200 and retry.headers["Idempotent-Replayed"] == "true"
    names = [
        c["name"]
        for c in blank.get("/v1/customers", params={"limit": 100}).json()["data"]
    ]
    assert names.count("Late") == 1
    assert unaffected.status_code == 200 and elapsed < DELAY_MS / 1000
    assert httpx.get(faults).json() == {"faults": []}


def test_faults_can_be_cleared_and_are_validated(
    faults: str, blank_sandbox: SandboxProcess
) -> None:
    blank_sandbox.add_fault("/v1/refunds", after_apply_delay_ms=5, method="POST")
    listed = httpx.get(faults).json()["faults"]

    blank_sandbox.clear_faults()
    cleared = httpx.get(faults).json()
    invalid = httpx.post(faults, json={"path_prefix": "/v1", "method": "PUT"})

    assert listed == [
        _listed(
            {
                "path_prefix": "/v1/refunds",
                "method": "POST",
                "after_apply_delay_ms": 5,
                "count": 1,
            }
        )
    ]
    assert cleared == {"faults": []}
    assert invalid.status_code == 400
    assert invalid.json()["error"]["param"] == "method"


def _listed(legacy: dict[str, object]) -> dict[str, object]:
    """How the sandbox lists a fault posted in the first form."""
    return {
        "kind": "after_apply_delay",
        "path_prefix": legacy["path_prefix"],
        "method": legacy["method"],
        "count": legacy["count"],
        "probability": None,
        "delay_ms": legacy["after_apply_delay_ms"],
        "should_retry": None,
    }
