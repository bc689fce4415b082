"""JWTs verified against a JWKS served over real HTTP, fetched once and cached."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from gateway.auth import Authenticator
from tests.auth.tenants import InMemoryDirectory
from tests.auth.tokens import Issuer, present, refusal, settings

KID = "key-2025"


class JwksServer:
    """Serves one JWKS on a loopback port and counts the fetches."""

    def __init__(self, jwks: dict[str, Any]) -> None:
        body = json.dumps(jwks).encode()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.fetches += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.fetches = 0
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._http.serve_forever, kwargs={"poll_interval": 0.05}
        )
        self.url = f"http://127.0.0.1:{self._http.server_port}/.well-known/jwks.json"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()
        self._thread.join()


@pytest.fixture
def jwks_server(rsa_key: rsa.RSAPrivateKey) -> Iterator[JwksServer]:
    jwk = RSAAlgorithm.to_jwk(rsa_key.public_key(), as_dict=True)
    server = JwksServer({"keys": [{**jwk, "kid": KID, "use": "sig", "alg": "RS256"}]})
    server.start()
    yield server
    server.stop()


@pytest.fixture
def jwks_gateway(
    directory: InMemoryDirectory, jwks_server: JwksServer
) -> Authenticator:
    return Authenticator(settings(gateway_jwt_jwks_url=jwks_server.url), directory)


def test_rs256_token_verified_with_published_key_fetched_once(
    jwks_gateway: Authenticator, jwks_server: JwksServer, rsa_key: rsa.RSAPrivateKey
) -> None:
    issuer = Issuer(rsa_key, "RS256", kid=KID)

    first = present(jwks_gateway, issuer.token(permissions=["customers:read"]))
    second = present(jwks_gateway, issuer.token(permissions=["products:read"]))

    assert (first.tenant_id, first.scopes.names()) == ("acme", ["customers:read"])
    assert (second.tenant_id, second.scopes.names()) == ("acme", ["products:read"])
    assert jwks_server.fetches == 1


def test_token_signed_with_unpublished_key_is_refused(
    jwks_gateway: Authenticator, other_rsa_key: rsa.RSAPrivateKey
) -> None:
    token = Issuer(other_rsa_key, "RS256", kid=KID).token()

    assert refusal(jwks_gateway, token).message == "token signature is invalid"


def test_token_with_unknown_key_id_is_refused(
    jwks_gateway: Authenticator, rsa_key: rsa.RSAPrivateKey
) -> None:
    token = Issuer(rsa_key, "RS256", kid="retired-key").token()

    assert refusal(jwks_gateway, token).message == (
        "token's key id (kid) matches no published signing key"
    )


def test_hmac_token_is_refused_before_any_fetch(
    jwks_gateway: Authenticator, jwks_server: JwksServer
) -> None:
    token = Issuer("a-shared-secret-of-at-least-32-bytes!", "HS256", kid=KID).token()

    refused = refusal(jwks_gateway, token)

    assert refused.message == "token's signing algorithm is not accepted"
    assert jwks_server.fetches == 0


def test_unreachable_jwks_is_refused_without_detail(
    directory: InMemoryDirectory, rsa_key: rsa.RSAPrivateKey
) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{unused.getsockname()[1]}/jwks.json"
    gateway = Authenticator(settings(gateway_jwt_jwks_url=url), directory)

    refused = refusal(gateway, Issuer(rsa_key, "RS256", kid=KID).token())

    assert refused.message == (
        "the token issuer's signing keys could not be fetched; try again"
    )
