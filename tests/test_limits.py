"""Limits on a request: its body's size, how long it takes to arrive, one
operation at a time, and the shape of the document it carries."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from schema import MAX_ALIASES, MAX_DEPTH, MAX_TOKENS
from tests.conftest import SANDBOX_KEY
from tests.sandbox_server import SandboxProcess
from tests.servers import GraphQL, ServerProcess, start_gateway

MAX_BODY_BYTES = 2048
BODY_TIMEOUT_SECONDS = 2
# Generous: the deadline is two seconds, the bound allows for a busy machine.
ANSWER_BOUND_SECONDS = 15.0
QUERY = "{ customers(first: 1) { nodes { id } } }"


@pytest.fixture(scope="module")
def limited(sandbox: SandboxProcess) -> Iterator[ServerProcess]:
    gateway = start_gateway(
        {
            "STRIPE_API_KEY": SANDBOX_KEY,
            "STRIPE_API_BASE": sandbox.url,
            "STRIPE_RATE_LIMIT_TEST": "1000",
            "GATEWAY_MAX_BODY_BYTES": str(MAX_BODY_BYTES),
            "GATEWAY_BODY_TIMEOUT": str(BODY_TIMEOUT_SECONDS),
        }
    )
    yield gateway
    gateway.stop()


@dataclass
class Answer:
    """What a raw connection got back: a status and JSON body, or a close."""

    status: int | None
    body: dict[str, Any] | None
    seconds: float


def connect(gateway: ServerProcess) -> socket.socket:
    url = urlsplit(gateway.url)
    return socket.create_connection((url.hostname, url.port), timeout=5)


def head(method: str, headers: dict[str, str]) -> bytes:
    lines = [f"{method} /graphql HTTP/1.1", "Host: gateway.test"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def read_answer(sock: socket.socket, started: float) -> Answer:
    """Read until the server closes the connection, and parse what it sent."""
    sock.settimeout(ANSWER_BOUND_SECONDS)
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass
    seconds = time.monotonic() - started
    if not received:
        return Answer(None, None, seconds)
    status_line, _, rest = received.partition(b"\r\n")
    body = rest.partition(b"\r\n\r\n")[2]
    return Answer(int(status_line.split()[1]), json.loads(body), seconds)


def trickle(sock: socket.socket, data: bytes) -> Answer:
    """Send ``data`` a byte every 0.2 s until the server answers or closes."""
    started = time.monotonic()
    sock.settimeout(0.2)
    for byte in data:
        try:
            sock.sendall(bytes([byte]))
            sock.recv(1, socket.MSG_PEEK)  # returns once the server answers or closes
            break
        except TimeoutError:
            continue
        except (BrokenPipeError, ConnectionResetError):
            break
    return read_answer(sock, started)


def codes(answer: Answer) -> list[str]:
    assert answer.body is not None
    return [error["extensions"]["code"] for error in answer.body["errors"]]


def test_a_declared_body_over_the_limit_is_refused_before_it_is_sent(
    limited: ServerProcess,
) -> None:
    with connect(limited) as sock:
        declared = {"Content-Type": "application/json", "Content-Length": "10000000"}
        sock.sendall(head("POST", declared))
        answer = read_answer(sock, time.monotonic())

    assert answer.status == 413
    assert codes(answer) == ["REQUEST_TOO_LARGE"]
    assert answer.body is not None
    assert str(MAX_BODY_BYTES) in answer.body["errors"][0]["message"]


def test_a_chunked_body_is_refused_once_it_passes_the_limit(
    limited: ServerProcess,
) -> None:
    chunk = b"400\r\n" + b" " * 1024 + b"\r\n"
    with connect(limited) as sock:
        chunked = {"Content-Type": "application/json", "Transfer-Encoding": "chunked"}
        sock.sendall(head("POST", chunked))
        # One kilobyte past the limit, and no last chunk: the body never ends.
        sock.sendall(chunk * (MAX_BODY_BYTES // 1024 + 1))
        answer = read_answer(sock, time.monotonic())

    assert answer.status == 413
    assert codes(answer) == ["REQUEST_TOO_LARGE"]


def test_a_body_within_the_limit_is_served(limited: ServerProcess) -> None:
    padded = QUERY + " " * (MAX_BODY_BYTES - len(QUERY) - 100)

    response = httpx.post(f"{limited.url}/graphql", json={"query": padded})

    assert len(response.request.content) <= MAX_BODY_BYTES
    assert response.status_code == 200
    assert response.json()["data"]["customers"]["nodes"]


def test_a_batch_is_refused_with_its_code_and_no_stripe_call(
    gateway_url: str, sandbox: SandboxProcess
) -> None:
    sandbox.reset_requests()

    response = httpx.post(
        f"{gateway_url}/graphql", json=[{"query": QUERY}, {"query": QUERY}]
    )

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "BATCHING_NOT_SUPPORTED"}
    assert "one operation per request" in error["message"]
    assert sandbox.request_count() == 0


def test_a_body_sent_a_byte_at_a_time_times_out_while_others_are_served(
    limited: ServerProcess,
) -> None:
    body = json.dumps({"query": QUERY}).encode()
    declared = {"Content-Type": "application/json", "Content-Length": str(len(body))}

    with ThreadPoolExecutor(1) as pool, connect(limited) as sock:
        sock.sendall(head("POST", declared))
        slow = pool.submit(trickle, sock, body)
        served = httpx.post(f"{limited.url}/graphql", json={"query": QUERY})
        answer = slow.result()

    assert served.status_code == 200
    assert answer.status == 408
    assert codes(answer) == ["REQUEST_TIMEOUT"]
    assert answer.seconds < ANSWER_BOUND_SECONDS


def test_a_request_head_sent_a_byte_at_a_time_is_cut_off_while_others_are_served(
    limited: ServerProcess,
) -> None:
    endless_head = b"GET /graphql HTTP/1.1\r\nHost: gateway.test\r\nX-Slow: " + (
        b"a" * 500
    )

    with ThreadPoolExecutor(1) as pool, connect(limited) as sock:
        slow = pool.submit(trickle, sock, endless_head)
        served = httpx.post(f"{limited.url}/graphql", json={"query": QUERY})
        answer = slow.result()

    assert served.status_code == 200
    assert answer.status is None  # closed without an answer
    assert answer.seconds < ANSWER_BOUND_SECONDS


def test_a_query_deeper_than_the_limit_is_refused_without_a_call(
    graphql: GraphQL, sandbox: SandboxProcess
) -> None:
    # Each round trip invoices → customer adds three levels.
    nested = "id"
    for _ in range(MAX_DEPTH // 3 + 1):
        nested = f"invoices {{ nodes {{ customer {{ {nested} }} }} }}"
    sandbox.reset_requests()

    body = graphql(f"{{ customers {{ nodes {{ {nested} }} }} }}")

    [error] = body["errors"]
    assert error["extensions"] == {"code": "GRAPHQL_VALIDATION_FAILED"}
    assert f"exceeds maximum operation depth of {MAX_DEPTH}" in error["message"]
    assert sandbox.request_count() == 0


def test_more_aliases_than_the_limit_are_refused_without_a_call(
    graphql: GraphQL, sandbox: SandboxProcess
) -> None:
    aliases = " ".join(f"a{n}: viewer {{ tenant }}" for n in range(MAX_ALIASES + 1))
    sandbox.reset_requests()

    body = graphql(f"{{ {aliases} }}")

    [error] = body["errors"]
    assert error["extensions"] == {"code": "GRAPHQL_VALIDATION_FAILED"}
    assert str(MAX_ALIASES) in error["message"]
    assert sandbox.request_count() == 0


def test_more_tokens_than_the_limit_are_refused_without_a_call(
    graphql: GraphQL, sandbox: SandboxProcess
) -> None:
    # "__typename" is one token, and no alias.
    document = "{ " + "__typename " * MAX_TOKENS + "}"
    sandbox.reset_requests()

    body = graphql(document)

    [error] = body["errors"]
    assert error["extensions"] == {"code": "GRAPHQL_PARSE_FAILED"}
    assert f"more than {MAX_TOKENS} tokens" in error["message"]
    assert sandbox.request_count() == 0
