"""The HTTP surface: POST and GET, GraphiQL for browsers, and health."""

from __future__ import annotations

import httpx
import stripe

QUERY = "{ customers(first: 1) { nodes { id } } }"


def post_text(gateway_url: str, body: str | bytes) -> httpx.Response:
    """POST a body as it is, labelled JSON: for bodies httpx would not write."""
    content = body.encode() if isinstance(body, str) else body
    headers = {"Content-Type": "application/json"}
    return httpx.post(f"{gateway_url}/graphql", content=content, headers=headers)


def test_get_runs_a_query(gateway_url: str) -> None:
    response = httpx.get(f"{gateway_url}/graphql", params={"query": QUERY})

    assert response.status_code == 200
    assert response.json()["data"]["customers"]["nodes"][0]["id"].startswith("cus_")


def test_browser_get_serves_graphiql_from_the_gateway(gateway_url: str) -> None:
    response = httpx.get(f"{gateway_url}/graphql", headers={"Accept": "text/html"})

    assert response.status_code == 200
    assert "graphiql.min.js" in response.text
    assert "://" not in response.text.split("<body>")[1]
    script = httpx.get(f"{gateway_url}/static/graphiql/graphiql.min.js")
    assert script.status_code == 200


def test_a_client_preferring_json_gets_the_result(gateway_url: str) -> None:
    response = httpx.get(
        f"{gateway_url}/graphql",
        params={"query": QUERY},
        headers={"Accept": "text/html;q=0.1, application/json"},
    )

    assert response.json()["data"]["customers"]["nodes"]


def test_healthz_reports_mode_and_versions(gateway_url: str) -> None:
    health = httpx.get(f"{gateway_url}/healthz").json()

    assert health["status"] == "ok"
    assert health["mode"] == "stripe"
    assert health["stripeApiVersion"] == stripe.api_version
    assert health["version"]


def test_a_body_that_is_not_json_gets_a_coded_json_error(gateway_url: str) -> None:
    response = post_text(gateway_url, b'{"query": ')

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert "JSON is not valid" in error["message"]


def test_variables_that_are_not_an_object_get_a_coded_json_error(
    gateway_url: str,
) -> None:
    body = {"query": QUERY, "variables": [1]}
    response = httpx.post(f"{gateway_url}/graphql", json=body)

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert "variables" in error["message"]


def test_a_mutation_over_get_is_refused_with_a_code(gateway_url: str) -> None:
    response = httpx.get(
        f"{gateway_url}/graphql",
        params={"query": "mutation { __typename }"},
        headers={"Accept": "application/json"},
    )

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert "GET" in error["message"]


def test_json_that_is_not_an_object_gets_a_coded_json_error(gateway_url: str) -> None:
    for body in (b"5", b'"hello"', b"null", b"true"):
        response = post_text(gateway_url, body)

        assert response.status_code == 400, body
        [error] = response.json()["errors"]
        assert error["extensions"]["code"] == "BAD_REQUEST"
        assert "JSON object" in error["message"]


def test_several_operations_need_an_operation_name(gateway_url: str) -> None:
    document = "query A { viewer { tenant } } query B { __typename }"
    unnamed = httpx.post(f"{gateway_url}/graphql", json={"query": document})
    named = httpx.post(
        f"{gateway_url}/graphql", json={"query": document, "operationName": "B"}
    )

    assert unnamed.status_code == 400
    [error] = unnamed.json()["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert "operationName" in error["message"]
    assert named.json()["data"] == {"__typename": "Query"}


def test_a_lone_surrogate_in_the_operation_name_is_a_bad_request(
    gateway_url: str,
) -> None:
    body = '{"query": "{ __typename }", "operationName": "\\ud800"}'
    response = post_text(gateway_url, body)

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST"


def test_json_nested_past_pythons_recursion_limit_is_a_bad_request(
    gateway_url: str,
) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    body = '{"query": "{ __typename }", "variables": {"a": ' + deep + "}}"
    response = post_text(gateway_url, body)

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST"


def test_a_lone_surrogate_bound_for_stripe_is_bad_user_input(
    gateway_url: str,
) -> None:
    body = (
        '{"query": "query ($e: String) { customers(email: $e) { nodes { id } } }",'
        ' "variables": {"e": "a\\ud800"}}'
    )
    response = post_text(gateway_url, body)

    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["path"] == ["customers"]
