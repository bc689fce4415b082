"""Errors carry stable codes, and nothing secret reaches the caller."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.conftest import SANDBOX_KEY as KEY
from tests.sandbox_server import SandboxProcess
from tests.servers import GraphQL, ServerProcess, graphql_client, start_gateway

LIVE_KEY = "sk_live_notacceptedbythesandbox1234"


def test_missing_object_is_null_with_one_not_found_error(graphql: GraphQL) -> None:
    body = graphql(
        '{ missing: customer(id: "cus_doesnotexist") { id email } '
        "present: customers(first: 1) { nodes { id } } }"
    )

    assert body["data"]["missing"] is None
    assert len(body["data"]["present"]["nodes"]) == 1
    [error] = body["errors"]
    assert error["path"] == ["missing"]
    assert error["extensions"]["code"] == "NOT_FOUND"


def test_node_rejects_an_id_of_no_known_type(graphql: GraphQL) -> None:
    body = graphql('{ node(id: "txn_123") { id } }')

    assert body["data"]["node"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize("cursor", ["cus_nosuchcursor", "pi_3OtherList", "", "a/b"])
def test_a_cursor_of_no_object_in_the_list_is_bad_user_input(
    graphql: GraphQL, cursor: str
) -> None:
    body = graphql(
        "query ($after: String) { customers(after: $after) { nodes { id } } }",
        after=cursor,
    )

    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize(
    "object_id",
    ["cus_x/../../payment_intents/pi_1", "cus_x?expand[]=customer", "cus x", ""],
)
def test_an_id_that_is_not_a_stripe_id_never_reaches_stripe(
    graphql: GraphQL, sandbox: SandboxProcess, object_id: str
) -> None:
    sandbox.reset_requests()

    body = graphql("query ($id: ID!) { customer(id: $id) { id } }", id=object_id)

    assert body["data"]["customer"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert sandbox.request_count() == 0


def test_a_deleted_customer_is_not_found(
    graphql: GraphQL, sandbox: SandboxProcess
) -> None:
    customer = httpx.post(
        f"{sandbox.url}/v1/customers", data={"name": "Gone"}, auth=(KEY, "")
    ).json()["id"]
    httpx.delete(f"{sandbox.url}/v1/customers/{customer}", auth=(KEY, ""))

    body = graphql(f'{{ customer(id: "{customer}") {{ id created }} }}')

    assert body["data"]["customer"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    ("document", "code"),
    [
        ("{ nope }", "GRAPHQL_VALIDATION_FAILED"),
        ("{ customers(", "GRAPHQL_PARSE_FAILED"),
        ('{ customers(first: "x") { nodes { id } } }', "GRAPHQL_VALIDATION_FAILED"),
        ("{ invoices(status: UNKNOWN) { nodes { id } } }", "GRAPHQL_VALIDATION_FAILED"),
    ],
)
def test_errors_in_the_document_carry_a_code(
    graphql_response: Callable[[str], httpx.Response], document: str, code: str
) -> None:
    errors = graphql_response(document).json()["errors"]

    assert {e["extensions"]["code"] for e in errors} == {code}


@pytest.fixture(scope="module")
def gateway_with_a_refused_key(sandbox: SandboxProcess) -> Iterator[ServerProcess]:
    gateway = start_gateway(
        {
            "STRIPE_API_KEY": LIVE_KEY,
            "STRIPE_API_BASE": sandbox.url,
            "STRIPE_ACCOUNT": "acct_1SecretAccount",
        }
    )
    yield gateway
    gateway.stop()


def test_refused_key_is_unauthenticated_and_never_shown(
    gateway_with_a_refused_key: ServerProcess,
) -> None:
    graphql = graphql_client(gateway_with_a_refused_key.url)

    body = graphql('{ customers { nodes { id } } customer(id: "cus_x") { id } }')

    assert {e["extensions"]["code"] for e in body["errors"]} == {"UNAUTHENTICATED"}
    exposed = str(body) + gateway_with_a_refused_key.output()
    assert "1234" not in exposed
    assert "sk_live" not in exposed
    assert "acct_1SecretAccount" not in exposed


@pytest.fixture
def graphql_response(gateway_url: str) -> Callable[[str], httpx.Response]:
    def post(document: str) -> httpx.Response:
        return httpx.post(f"{gateway_url}/graphql", json={"query": document})

    return post
