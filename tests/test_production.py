"""Production mode: no GraphiQL, no introspection or schema hints unless asked
for, and CORS only for the origins listed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet

from tests.conftest import SANDBOX_KEY
from tests.sandbox_server import SandboxProcess
from tests.servers import ServerProcess, admin_api, start_gateway

ADMIN_TOKEN = "admin-token-for-production-tests"
APP_ORIGIN = "https://app.example.test"
OTHER_ORIGIN = "https://elsewhere.example.test"
INTROSPECTION = "{ __schema { queryType { name } } }"
MISSPELT = "{ custmers(first: 1) { nodes { id } } }"


@dataclass
class Production:
    """Production gateways sharing one tenant store, and a token for it."""

    environment: dict[str, str]
    token: str

    def post(
        self, gateway: ServerProcess, document: str, **variables: Any
    ) -> dict[str, Any]:
        response = httpx.post(
            f"{gateway.url}/graphql",
            json={"query": document, "variables": variables},
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture(scope="module")
def deployment(
    sandbox: SandboxProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Production, ServerProcess]]:
    database = tmp_path_factory.mktemp("production") / "gateway.sqlite3"
    environment = {
        "GATEWAY_ENV": "production",
        "STRIPE_API_KEY": SANDBOX_KEY,
        "STRIPE_API_BASE": sandbox.url,
        "STRIPE_RATE_LIMIT_TEST": "1000",
        "GATEWAY_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "GATEWAY_SECRET_KEY": Fernet.generate_key().decode(),
        "GATEWAY_ADMIN_TOKEN": ADMIN_TOKEN,
        "GATEWAY_CORS_ORIGINS": f"{APP_ORIGIN}, https://admin.example.test",
    }
    gateway = start_gateway(environment)
    token = api_token(gateway, sandbox)
    yield Production(environment, token), gateway
    gateway.stop()


@pytest.fixture(scope="module")
def production(deployment: tuple[Production, ServerProcess]) -> Production:
    return deployment[0]


@pytest.fixture(scope="module")
def gateway(deployment: tuple[Production, ServerProcess]) -> ServerProcess:
    return deployment[1]


@pytest.fixture(scope="module")
def introspective(production: Production) -> Iterator[ServerProcess]:
    gateway = start_gateway({**production.environment, "GATEWAY_INTROSPECTION": "true"})
    yield gateway
    gateway.stop()


def api_token(gateway: ServerProcess, sandbox: SandboxProcess) -> str:
    """A tenant with a restricted key of its own, and an API token for it."""
    account = sandbox.create_account(seed="demo")
    key = sandbox.create_restricted_key({"customers": "read"}, account=account["id"])
    admin(gateway, "POST", "/tenants", {"id": "acme", "name": "Acme"})
    admin(
        gateway,
        "PUT",
        "/tenants/acme/stripe",
        {"key": key, "scopes": {"customers": "read"}},
    )
    created = admin(
        gateway,
        "POST",
        "/tenants/acme/tokens",
        {"name": "app", "scopes": ["customers:read"]},
    )
    return str(created["secret"])


def admin(gateway: ServerProcess, method: str, path: str, body: Any) -> Any:
    return admin_api(gateway, ADMIN_TOKEN, method, path, body)


def preflight(url: str, origin: str) -> httpx.Response:
    return httpx.options(
        f"{url}/graphql",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )


def test_graphiql_is_not_served(gateway: ServerProcess) -> None:
    page = httpx.get(f"{gateway.url}/graphql", headers={"Accept": "text/html"})
    script = httpx.get(f"{gateway.url}/static/graphiql/graphiql.min.js")

    assert page.status_code == 404
    assert page.headers["content-type"] == "application/json"
    assert page.json()["errors"][0]["extensions"] == {"code": "NOT_FOUND"}
    assert script.status_code == 404


def test_introspection_is_refused(
    production: Production, gateway: ServerProcess
) -> None:
    body = production.post(gateway, INTROSPECTION)

    # One error for each introspection field the document names.
    assert body["data"] is None
    errors = body["errors"]
    assert {e["extensions"]["code"] for e in errors} == {"GRAPHQL_VALIDATION_FAILED"}
    assert "introspection has been disabled" in errors[0]["message"]


def test_typename_still_answers(production: Production, gateway: ServerProcess) -> None:
    body = production.post(gateway, "{ __typename }")

    assert body["data"] == {"__typename": "Query"}
    assert "errors" not in body


def test_introspection_can_be_turned_on(
    production: Production, introspective: ServerProcess
) -> None:
    body = production.post(introspective, INTROSPECTION)

    assert body["data"] == {"__schema": {"queryType": {"name": "Query"}}}


def test_errors_suggest_no_names_from_the_schema(
    production: Production, gateway: ServerProcess
) -> None:
    body = production.post(gateway, MISSPELT)

    [error] = body["errors"]
    assert error["message"] == "Cannot query field 'custmers' on type 'Query'."
    assert error["extensions"] == {"code": "GRAPHQL_VALIDATION_FAILED"}


def test_input_errors_suggest_no_names_from_the_schema(
    production: Production, gateway: ServerProcess
) -> None:
    literal = 'mutation { customerCreate(input: {emial: "x"}) { customer { id } } }'
    variable = (
        "mutation ($input: CustomerCreateInput!) "
        "{ customerCreate(input: $input) { customer { id } } }"
    )
    in_literal = production.post(gateway, literal)
    in_variable = production.post(gateway, variable, input={"emial": "x"})

    for body in (in_literal, in_variable):
        [error] = body["errors"]
        assert "'emial'" in error["message"]
        assert "mean" not in error["message"]
        assert "'email'" not in error["message"]


def test_development_errors_keep_their_suggestions(gateway_url: str) -> None:
    body = httpx.post(f"{gateway_url}/graphql", json={"query": MISSPELT}).json()

    assert "Did you mean 'customers'" in body["errors"][0]["message"]


def test_cors_preflight_is_refused_without_listed_origins(gateway_url: str) -> None:
    response = preflight(gateway_url, APP_ORIGIN)

    assert response.status_code == 405
    assert "access-control-allow-origin" not in response.headers


def test_cors_preflight_is_allowed_for_a_listed_origin(gateway: ServerProcess) -> None:
    response = preflight(gateway.url, APP_ORIGIN)

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == APP_ORIGIN
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "authorization" in response.headers["access-control-allow-headers"]
    assert "access-control-allow-credentials" not in response.headers


def test_cors_preflight_is_refused_for_an_unlisted_origin(
    gateway: ServerProcess,
) -> None:
    response = preflight(gateway.url, OTHER_ORIGIN)

    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers
