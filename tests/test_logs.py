"""The gateway's logs, read from a running gateway's output: one JSON line per
request with what operators need, and no secret or e-mail address in any line."""

from __future__ import annotations

import json
import logging
import secrets
import socket
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from gateway.observability.logs import RedactingFormatter, Redactor, json_formatter
from tests.observed import ADMIN_TOKEN, gateway_env
from tests.sandbox_server import SandboxProcess
from tests.servers import ServerProcess, start_gateway

EMAIL = "ada.lovelace@example.com"

CUSTOMER_AND_MISSING_ONE = """
query CustomerAndMissingOne {
  customers(first: 1) { nodes { id } }
  customer(id: "cus_missing") { id }
}
"""
CUSTOMER_BY_EMAIL = """
query CustomerByEmail($email: String) {
  customers(email: $email) { nodes { id } }
}
"""


@pytest.fixture(scope="module")
def gateway(sandbox: SandboxProcess) -> Iterator[ServerProcess]:
    server = start_gateway(gateway_env(sandbox))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def debug_gateway(sandbox: SandboxProcess) -> Iterator[ServerProcess]:
    server = start_gateway(gateway_env(sandbox, GATEWAY_LOG_LEVEL="DEBUG"))
    yield server
    server.stop()


def post(
    server: ServerProcess,
    query: str,
    headers: dict[str, str] | None = None,
    **variables: Any,
) -> httpx.Response:
    return httpx.post(
        f"{server.url}/graphql?source=tests",
        json={"query": query, "variables": variables},
        headers=headers,
        timeout=30,
    )


def request_lines(server: ServerProcess, operation: str) -> list[dict[str, Any]]:
    return server.wait_for_log(
        lambda r: (
            r["logger"] == "gateway.access" and r.get("operation_name") == operation
        )
    )


def test_a_graphql_request_has_one_line_with_its_operation(
    gateway: ServerProcess,
) -> None:
    body = post(gateway, CUSTOMER_AND_MISSING_ONE).json()

    [line] = request_lines(gateway, "CustomerAndMissingOne")
    assert line["level"] == "INFO"
    assert line["method"] == "POST"
    assert line["path"] == "/graphql"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] > 0
    assert line["operation_type"] == "query"
    assert line["tenant_id"] == "default"
    assert line["stripe_calls"] == body["extensions"]["cost"]["stripeCalls"] >= 1
    assert line["error_codes"] == ["NOT_FOUND"]


def test_a_mutation_and_a_document_error_are_told_apart(
    gateway: ServerProcess,
) -> None:
    post(gateway, "mutation DeleteNothing { customerDelete(id: 1) { id } }")
    post(gateway, "query Broken { customers(")

    [mutation] = request_lines(gateway, "DeleteNothing")
    assert mutation["operation_type"] == "mutation"
    assert mutation["error_codes"] == ["GRAPHQL_VALIDATION_FAILED"]
    assert mutation["stripe_calls"] == 0
    broken = gateway.wait_for_log(
        lambda r: r.get("error_codes") == ["GRAPHQL_PARSE_FAILED"]
    )
    assert broken[0]["operation_type"] is None


def test_other_requests_have_a_line_without_graphql_fields(
    gateway: ServerProcess,
) -> None:
    httpx.get(f"{gateway.url}/healthz?probe=1")

    [line] = gateway.wait_for_log(lambda r: r.get("path") == "/healthz")[-1:]
    assert (line["method"], line["status"]) == ("GET", 200)
    assert "operation_name" not in line and "tenant_id" not in line


def test_a_refused_request_is_logged_with_its_status(gateway: ServerProcess) -> None:
    headers = {"Authorization": "Bearer sgw_" + secrets.token_urlsafe(32)}

    assert post(gateway, "{ customers { nodes { id } } }", headers).status_code == 401

    assert gateway.wait_for_log(lambda r: r.get("status") == 401)


def test_a_client_that_leaves_mid_body_is_logged_as_499(gateway: ServerProcess) -> None:
    host, port = gateway.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(
            b"POST /graphql?left=1 HTTP/1.1\r\nHost: gateway\r\n"
            b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
        )

    # No response was sent: the line must not claim a server error.
    [line] = gateway.wait_for_log(lambda r: r.get("status") == 499)[-1:]
    assert line["path"] == "/graphql"


def test_uvicorn_logs_through_the_same_json_format(gateway: ServerProcess) -> None:
    started = gateway.wait_for_log(lambda r: r["logger"].startswith("uvicorn"))

    assert any("Application startup complete" in r["message"] for r in started)


def test_secrets_and_emails_are_redacted_from_every_line(
    debug_gateway: ServerProcess,
) -> None:
    token = "sgw_" + secrets.token_urlsafe(32)
    stripe_key = "sk_live_" + secrets.token_hex(12)
    jwt_like = "Bearer " + secrets.token_urlsafe(24)

    post(debug_gateway, CUSTOMER_BY_EMAIL, email=EMAIL)
    refused = {"Authorization": f"Bearer {token}"}
    post(debug_gateway, "{ customers { nodes { id } } }", refused)
    # A request's path is logged: each of these reaches a line.
    for path in (f"/{stripe_key}", f"/{ADMIN_TOKEN}", f"/{EMAIL}", f"/{jwt_like}"):
        httpx.get(debug_gateway.url + path)

    paths = debug_gateway.wait_for_log(lambda r: r.get("status") == 404, count=4)
    assert sorted(line["path"] for line in paths) == [
        "/Bearer [redacted]",
        "/[email]",
        "/[redacted]",
        "/[stripe key]",
    ]
    output = debug_gateway.output()
    for secret in (token, stripe_key, ADMIN_TOKEN, EMAIL, "lovelace"):
        assert secret not in output


def test_debug_shows_our_debug_lines_but_not_the_sdks(
    debug_gateway: ServerProcess,
) -> None:
    post(debug_gateway, CUSTOMER_AND_MISSING_ONE)

    request_lines(debug_gateway, "CustomerAndMissingOne")
    records = debug_gateway.log_records()
    ours = [r for r in records if r["logger"].split(".")[0] in ("gateway", "schema")]
    assert any(r["level"] == "DEBUG" for r in ours)
    # Each Stripe call has our line with its request id; the SDK's own lines
    # (URLs with list filters, bodies) stay out.
    calls = [r for r in records if r["message"].startswith("stripe call ")]
    assert calls and all("request_id=req_" in r["message"] for r in calls)
    assert not [r for r in records if r["logger"].startswith("stripe")]
    assert not [r for r in records if r["logger"].startswith(("httpx", "httpcore"))]
    assert "API response body" not in debug_gateway.output()


def test_text_format_is_one_readable_line_per_request(sandbox: SandboxProcess) -> None:
    server = start_gateway(gateway_env(sandbox, GATEWAY_LOG_FORMAT="text"))
    try:
        post(server, CUSTOMER_AND_MISSING_ONE)
    finally:
        server.stop()  # its last lines written

    lines = [line for line in server.output().splitlines() if "gateway.access" in line]
    [line] = [line for line in lines if "CustomerAndMissingOne" in line]
    assert not line.startswith("{")
    assert "INFO gateway.access POST /graphql 200" in line
    assert "tenant_id=default" in line and "error_codes=['NOT_FOUND']" in line


def test_redaction_covers_arguments_extra_fields_and_tracebacks() -> None:
    stripe_key = "rk_test_" + secrets.token_hex(12)
    # A secret with a quote is escaped in a JSON line, and still found there.
    quoted = 'quoted"secret-' + secrets.token_hex(8)
    formatter = RedactingFormatter(json_formatter(), Redactor([quoted]))
    try:
        raise ValueError(f"refused {stripe_key}")
    except ValueError:
        failure = sys.exc_info()
    arguments = (EMAIL, "whsec_" + secrets.token_hex(8))
    record = logging.LogRecord("t", logging.ERROR, "", 1, "%s %s", arguments, failure)
    record.header = "Basic " + secrets.token_urlsafe(12)
    record.settings = {"secret": quoted}

    line = json.loads(formatter.format(record))

    assert line["message"] == "[email] [webhook secret]"
    assert line["header"] == "Basic [redacted]"
    assert line["settings"] == {"secret": "[redacted]"}
    assert "[stripe key]" in line["exc_info"] and stripe_key not in line["exc_info"]
