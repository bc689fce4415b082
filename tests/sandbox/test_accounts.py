"""Several accounts in one sandbox: each with its own objects and keys, the
start-up store as the default account, one request log naming the account."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from gateway.sandbox.accounts import DEFAULT_ACCOUNT_ID
from tests.sandbox.conftest import API_KEY
from tests.sandbox_server import SandboxProcess, start_sandbox


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxProcess]:
    server = start_sandbox(seed=None)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def tenant(sandbox: SandboxProcess) -> dict[str, Any]:
    return sandbox.create_account()


LIMIT = {"limit": 100}


def call(
    sandbox: SandboxProcess, key: str, method: str, path: str, **kwargs: Any
) -> httpx.Response:
    return httpx.request(method, sandbox.url + path, auth=(key, ""), **kwargs)


def customer_ids(sandbox: SandboxProcess, key: str) -> list[str]:
    listed = call(sandbox, key, "GET", "/v1/customers", params=LIMIT)
    return [customer["id"] for customer in listed.json()["data"]]


def test_a_new_account_has_an_id_and_its_own_secret_key(
    sandbox: SandboxProcess, tenant: dict[str, Any]
) -> None:
    other = sandbox.create_account()

    assert set(tenant) == {"id", "secret_key"}
    assert re.fullmatch(r"acct_1[A-Za-z0-9]{15}", tenant["id"])
    assert re.fullmatch(r"sk_test_[A-Za-z0-9]{24}", tenant["secret_key"])
    assert DEFAULT_ACCOUNT_ID not in (tenant["id"], other["id"])
    assert other["id"] != tenant["id"]
    assert other["secret_key"] != tenant["secret_key"]


def test_objects_of_one_account_are_missing_in_the_other(
    sandbox: SandboxProcess, tenant: dict[str, Any]
) -> None:
    key = tenant["secret_key"]
    theirs = call(sandbox, key, "POST", "/v1/customers", data={"name": "B"}).json()
    ours = call(sandbox, API_KEY, "POST", "/v1/customers", data={"name": "A"}).json()

    from_default = call(sandbox, API_KEY, "GET", f"/v1/customers/{theirs['id']}")
    from_tenant = call(sandbox, key, "GET", f"/v1/customers/{ours['id']}")

    assert from_default.status_code == 404
    assert from_default.json()["error"]["message"] == (
        f"No such customer: '{theirs['id']}'"
    )
    assert from_tenant.status_code == 404
    assert theirs["id"] in customer_ids(sandbox, key)
    assert theirs["id"] not in customer_ids(sandbox, API_KEY)
    assert ours["id"] in customer_ids(sandbox, API_KEY)
    assert ours["id"] not in customer_ids(sandbox, key)


def test_writes_through_another_account_cannot_touch_an_object(
    sandbox: SandboxProcess, tenant: dict[str, Any]
) -> None:
    key = tenant["secret_key"]
    ours = call(sandbox, API_KEY, "POST", "/v1/customers", data={"name": "A"}).json()

    update = call(
        sandbox, key, "POST", f"/v1/customers/{ours['id']}", data={"name": "Z"}
    )
    delete = call(sandbox, key, "DELETE", f"/v1/customers/{ours['id']}")
    kept = call(sandbox, API_KEY, "GET", f"/v1/customers/{ours['id']}").json()

    assert (update.status_code, delete.status_code) == (404, 404)
    assert kept["name"] == "A"


def test_seeded_accounts_hold_the_demo_data_under_their_own_ids(
    sandbox: SandboxProcess,
) -> None:
    first, second = sandbox.create_account("demo"), sandbox.create_account("demo")

    lists = [
        call(sandbox, account["secret_key"], "GET", "/v1/customers", params=LIMIT)
        for account in (first, second)
    ]
    one, two = (response.json()["data"] for response in lists)

    assert len(one) == len(two) == 25
    assert [c["name"] for c in one] == [c["name"] for c in two]
    assert not {c["id"] for c in one} & {c["id"] for c in two}
    assert not {c["id"] for c in one} & set(customer_ids(sandbox, API_KEY))


def test_keys_the_sandbox_did_not_issue_reach_the_default_account(
    sandbox: SandboxProcess,
) -> None:
    created = call(
        sandbox, "sk_test_madeup0001", "POST", "/v1/customers", data={"name": "D"}
    ).json()

    seen_by = {
        key: created["id"] in customer_ids(sandbox, key)
        for key in ("sk_test_madeup0002", "rk_test_madeup0003")
    }

    assert seen_by == {"sk_test_madeup0002": True, "rk_test_madeup0003": True}


def test_a_restricted_key_reaches_only_its_account(
    sandbox: SandboxProcess, tenant: dict[str, Any]
) -> None:
    theirs = call(
        sandbox, tenant["secret_key"], "POST", "/v1/customers", data={"name": "R"}
    ).json()
    key = sandbox.create_restricted_key({"customers": "read"}, account=tenant["id"])

    ids = customer_ids(sandbox, key)
    denied = call(sandbox, key, "POST", "/v1/customers", data={"name": "no"})

    assert theirs["id"] in ids
    assert ids == customer_ids(sandbox, tenant["secret_key"])
    assert denied.status_code == 403
    assert f"on account '{tenant['id']}'" in denied.json()["error"]["message"]


def test_a_restricted_key_for_an_unknown_account_is_refused(
    sandbox: SandboxProcess,
) -> None:
    response = httpx.post(
        f"{sandbox.url}/_sandbox/restricted_keys", data={"account": "acct_nobody"}
    )

    assert response.status_code == 400
    assert response.json()["error"]["param"] == "account"
    assert response.json()["error"]["message"] == "No such account: 'acct_nobody'"


def test_accounts_take_a_json_body_and_refuse_an_unknown_seed(
    sandbox: SandboxProcess,
) -> None:
    created = httpx.post(f"{sandbox.url}/_sandbox/accounts", json={"seed": "none"})
    unknown = httpx.post(f"{sandbox.url}/_sandbox/accounts", json={"seed": "big"})

    assert created.status_code == 200
    assert customer_ids(sandbox, created.json()["secret_key"]) == []
    assert unknown.status_code == 400
    assert unknown.json() == {
        "error": {
            "type": "invalid_request_error",
            "message": "Invalid seed: must be one of `demo`, `none`",
            "param": "seed",
        }
    }


def test_one_request_log_names_each_account(
    sandbox: SandboxProcess, tenant: dict[str, Any]
) -> None:
    sandbox.reset_requests()

    call(sandbox, API_KEY, "GET", "/v1/products")
    call(sandbox, tenant["secret_key"], "GET", "/v1/products")
    httpx.get(f"{sandbox.url}/v1/products")
    log = sandbox.requests()
    sandbox.reset_requests()

    assert [entry["account"] for entry in log] == [
        DEFAULT_ACCOUNT_ID,
        tenant["id"],
        None,
    ]
