"""Generated operations against a live gateway, built from its own schema.

Whatever a caller sends, the gateway answers in GraphQL's shape: never a 5xx,
every error with a stable code, and nothing of its insides (tracebacks,
exception names, file paths, masked ``INTERNAL`` errors) in any message.
Examples are derandomized, so every run sends the same documents.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from datetime import UTC
from typing import Any

import graphql
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, mutations, nodes, queries

from resolvers.planner import DEFAULT_PAGE_SIZE, embedded_page_suffices, page_size
from tests.sandbox_server import SandboxProcess, start_sandbox
from tests.servers import ServerProcess, start_gateway

KEY = "sk_test_fuzzedgateway0000"

FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    # Generated documents are large by nature; each example is an HTTP round trip.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# What only a bug lets out: Python's own words, and the masked error itself.
INTERNAL_TEXT = re.compile(
    r"Traceback|Internal error|File \"|\.py\b|/site-packages/|<class '|"
    r" object at 0x|\b[A-Z][A-Za-z]*(?:Error|Exception)\b"
)

# Values a careless resolver trips on: parsed as numbers, put in a URL, echoed.
ODD_TEXT = [
    "",
    " ",
    "\x00",
    "\u202e",
    "\ufeff",
    "😀" * 40,
    "x" * 5000,
    "cus_",
    "cus_x/../../v1/charges",
    "cus_x?expand[]=customer",
    "cus_%2F..",
    "in_x#fragment",
    "sub_\n",
    "{}",
    '{"a": {"b": 1}}',
    "[1, 2]",
    "null",
    "9999-12-31T23:59:59",
    "0001-01-01T00:00:00",
    "2024-02-30T00:00:00",
    "1970-01-01T00:00:00+14:00",
    "%s%s%n",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
]
# Money is text parsed as a number: these reach the parsing only with a currency.
ODD_AMOUNTS = [
    "NaN",
    "sNaN",
    "-Infinity",
    "1e999999",
    "1e-999999999",
    "1.00000000000000000000000000001",
    "-0",
    "5.00",
    "35.200",
    "999999.99",
    "99999999999999999999",
    "5_0",
    " 5 ",
    "١٢٣",
    "0x10",
]
ODD_BY_FIELD = {
    "decimal": ODD_AMOUNTS,
    "currency": ["usd", "JPY", "bhd", "nan", "xx", "usd "],
}
ODD_INTS = [0, -1, 1, 100, 101, -(2**31), 2**31 - 1, 10**8, 2**31]


@dataclasses.dataclass(frozen=True)
class Target:
    """A gateway for the fuzzer alone: mutations write to a sandbox of its own."""

    gateway: ServerProcess
    schema: graphql.GraphQLSchema
    ids: list[str]

    def post(
        self, document: str, variables: dict[str, Any] | None = None
    ) -> httpx.Response:
        # Python's json writes NaN and Infinity, which a careless client sends too.
        body = json.dumps({"query": document, "variables": variables or {}})
        return httpx.post(
            f"{self.gateway.url}/graphql",
            content=body.encode(),
            headers={"Content-Type": "application/json"},
            timeout=60,
        )


@pytest.fixture(scope="module")
def fuzz_sandbox() -> Iterator[SandboxProcess]:
    server = start_sandbox(seed="demo")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def target(fuzz_sandbox: SandboxProcess) -> Iterator[Target]:
    gateway = start_gateway(
        {
            "STRIPE_API_KEY": KEY,
            "STRIPE_API_BASE": fuzz_sandbox.url,
            "STRIPE_RATE_LIMIT_TEST": "100000",
            "GATEWAY_LOG_LEVEL": "DEBUG",
        }
    )
    try:
        yield Target(gateway, live_schema(gateway), seeded_ids(gateway))
    finally:
        gateway.stop()


def live_schema(gateway: ServerProcess) -> graphql.GraphQLSchema:
    """The schema as a client sees it, by introspection over HTTP."""
    response = httpx.post(
        f"{gateway.url}/graphql",
        json={"query": graphql.get_introspection_query()},
        timeout=30,
    )
    return graphql.build_client_schema(response.json()["data"])


SEEDED = """{
  customers(first: 3) { nodes { id } }  products(first: 2) { nodes { id } }
  prices(first: 2) { nodes { id } }  invoices(first: 3) { nodes { id } }
  subscriptions(first: 2) { nodes { id } }  charges(first: 2) { nodes { id } }
  paymentIntents(first: 2) { nodes { id } }  refunds(first: 1) { nodes { id } }
}"""


def seeded_ids(gateway: ServerProcess) -> list[str]:
    """Real ids, so generated operations reach past NOT_FOUND."""
    body = httpx.post(f"{gateway.url}/graphql", json={"query": SEEDED}).json()
    return [node["id"] for page in body["data"].values() for node in page["nodes"]]


def json_values() -> st.SearchStrategy[graphql.ValueNode]:
    """JSON literals: mostly metadata-like objects of strings, sometimes not."""
    names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,44}", fullmatch=True)
    leaf: st.SearchStrategy[graphql.ValueNode] = st.one_of(
        st.text(max_size=600).map(nodes.String),
        st.integers().map(nodes.Int),
        st.booleans().map(nodes.Boolean),
        st.just(nodes.Null),
    )
    objects = st.dictionaries(names, leaf, max_size=55).map(_object)
    return st.one_of(objects, leaf, st.lists(leaf, max_size=3).map(_list))


def _object(fields: dict[str, graphql.ValueNode]) -> graphql.ObjectValueNode:
    return nodes.Object(
        [
            graphql.ObjectFieldNode(name=graphql.NameNode(value=name), value=value)
            for name, value in fields.items()
        ]
    )


def _list(values: list[graphql.ValueNode]) -> graphql.ListValueNode:
    return nodes.List(values)


def date_times() -> st.SearchStrategy[graphql.ValueNode]:
    zones = st.one_of(st.none(), st.just(UTC))
    valid = st.datetimes(timezones=zones).map(lambda moment: moment.isoformat())
    return st.one_of(valid, st.sampled_from(ODD_TEXT)).map(nodes.String)


SCALARS = {"DateTime": date_times(), "JSON": json_values()}


def hostile(
    documents: st.SearchStrategy[graphql.DocumentNode], ids: list[str]
) -> st.SearchStrategy[str]:
    """``documents`` with every string and integer swapped for an odd value,
    amounts and currencies for ones that reach the parsing of money."""
    texts = st.one_of(
        st.sampled_from(ODD_TEXT),
        st.sampled_from(ids),
        st.text(max_size=3000),
    )
    integers = st.one_of(st.sampled_from(ODD_INTS), st.integers(-(2**31), 2**31 - 1))

    @st.composite
    def rewritten(draw: st.DrawFn) -> str:
        class Swap(graphql.Visitor):
            def enter_string_value(self, *_: Any) -> graphql.StringValueNode:
                return nodes.String(draw(texts))

            def enter_int_value(self, *_: Any) -> graphql.IntValueNode:
                return nodes.Int(draw(integers))

            def leave_object_field(
                self, field: graphql.ObjectFieldNode, *_: Any
            ) -> graphql.ObjectFieldNode:
                odd = ODD_BY_FIELD.get(field.name.value)
                if odd is None or not isinstance(field.value, graphql.StringValueNode):
                    return field
                value = nodes.String(draw(st.sampled_from(odd)))
                return dataclasses.replace(field, value=value)

        return graphql.print_ast(graphql.visit(draw(documents), Swap()))

    return rewritten()


def with_user_errors(document: graphql.DocumentNode) -> graphql.DocumentNode:
    """Every mutation asks for its userErrors, so their messages are checked too."""
    [operation] = document.definitions
    assert isinstance(operation, graphql.OperationDefinitionNode)
    fields = tuple(_asking_for_problems(f) for f in operation.selection_set.selections)
    selection_set = graphql.SelectionSetNode(selections=fields)
    return graphql.DocumentNode(
        definitions=(dataclasses.replace(operation, selection_set=selection_set),)
    )


def _asking_for_problems(selection: graphql.SelectionNode) -> graphql.SelectionNode:
    if not isinstance(selection, graphql.FieldNode) or selection.selection_set is None:
        return selection
    wanted = (*selection.selection_set.selections, USER_ERRORS)
    return dataclasses.replace(
        selection, selection_set=graphql.SelectionSetNode(selections=wanted)
    )


USER_ERRORS = graphql.FieldNode(
    name=graphql.NameNode(value="userErrors"),
    selection_set=graphql.SelectionSetNode(
        selections=tuple(
            graphql.FieldNode(name=graphql.NameNode(value=name))
            for name in ("field", "code", "message")
        )
    ),
)


Operation = tuple[graphql.DocumentNode, dict[str, Any]]


def any_json() -> st.SearchStrategy[Any]:
    """Any value a JSON body can carry for a variable, NaN and Infinity too."""
    leaf = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**30), 10**30),
        st.floats(),
        st.text(max_size=50),
    )
    return st.recursive(
        leaf,
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(st.text(max_size=10), inner, max_size=3)
        ),
        max_leaves=8,
    )


def with_variables(
    documents: st.SearchStrategy[graphql.DocumentNode], schema: graphql.GraphQLSchema
) -> st.SearchStrategy[Operation]:
    """Each argument passed as a variable: its own value, or any JSON at all."""

    @st.composite
    def lifted(draw: st.DrawFn) -> Operation:
        type_info = graphql.TypeInfo(schema)
        declared: list[graphql.VariableDefinitionNode] = []
        values: dict[str, Any] = {}

        class Lift(graphql.Visitor):
            def leave_argument(
                self, argument: graphql.ArgumentNode, *_: Any
            ) -> graphql.ArgumentNode:
                definition = type_info.get_argument()
                assert definition is not None
                name = f"v{len(declared)}"
                declared.append(_variable_definition(name, definition.type))
                own = graphql.value_from_ast_untyped(argument.value)
                values[name] = draw(st.one_of(st.just(own), any_json()))
                variable = graphql.VariableNode(name=graphql.NameNode(value=name))
                return dataclasses.replace(argument, value=variable)

        visitor = graphql.TypeInfoVisitor(type_info, Lift())
        document = graphql.visit(draw(documents), visitor)
        [operation] = document.definitions
        assert isinstance(operation, graphql.OperationDefinitionNode)
        operation = dataclasses.replace(operation, variable_definitions=tuple(declared))
        return graphql.DocumentNode(definitions=(operation,)), values

    return lifted()


def _variable_definition(
    name: str, type_: graphql.GraphQLInputType
) -> graphql.VariableDefinitionNode:
    return graphql.VariableDefinitionNode(
        variable=graphql.VariableNode(name=graphql.NameNode(value=name)),
        type=graphql.parse_type(str(type_)),
    )


def check_answer(document: str, response: httpx.Response) -> None:
    """The invariants every answer keeps, whatever was asked."""
    assert response.status_code < 500, f"{response.status_code} for:\n{document}"
    body = response.json()
    assert "data" in body or "errors" in body, body
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        assert code, f"an error without extensions.code: {error}\n{document}"
        assert code != "INTERNAL", f"an internal error for:\n{document}"
        _check_message(error["message"], document)
    for problem in _user_errors(body.get("data")):
        assert problem["code"], f"a user error without a code: {problem}"
        _check_message(problem["message"], document)


def _check_message(message: str, document: str) -> None:
    leaked = INTERNAL_TEXT.search(message)
    assert leaked is None, f"internal text {leaked[0]!r} in {message!r}:\n{document}"


def _user_errors(data: Any) -> Iterator[dict[str, Any]]:
    if not isinstance(data, dict):
        return
    for payload in data.values():
        if isinstance(payload, dict):
            yield from payload.get("userErrors") or []


def assert_logged_no_unexpected_error(gateway: ServerProcess) -> None:
    log = gateway.output()
    at = log.find("Traceback")
    assert at < 0, f"the gateway logged an unexpected error:\n{log[at - 200 :]}"


@settings(FUZZ, max_examples=120)
@given(data=st.data())
def test_generated_queries_get_coded_answers(
    target: Target, data: st.DataObject
) -> None:
    document = data.draw(queries(target.schema, custom_scalars=SCALARS))

    check_answer(document, target.post(document))


@settings(FUZZ, max_examples=100)
@given(data=st.data())
def test_generated_mutations_get_coded_answers(
    target: Target, data: st.DataObject
) -> None:
    generated = mutations(
        target.schema, custom_scalars=SCALARS, print_ast=with_user_errors
    )
    document = graphql.print_ast(data.draw(generated))

    check_answer(document, target.post(document))


def document_trees(
    schema: graphql.GraphQLSchema,
) -> st.SearchStrategy[graphql.DocumentNode]:
    """Queries and mutations as syntax trees, for strategies that change them."""

    def tree(document: graphql.DocumentNode) -> graphql.DocumentNode:
        return document

    return st.one_of(
        queries(schema, custom_scalars=SCALARS, print_ast=tree),
        mutations(schema, custom_scalars=SCALARS, print_ast=with_user_errors),
    )


@settings(FUZZ, max_examples=150)
@given(data=st.data())
def test_hostile_argument_values_get_coded_answers(
    target: Target, data: st.DataObject
) -> None:
    documents = document_trees(target.schema)
    document = data.draw(hostile(documents, target.ids))

    check_answer(document, target.post(document))


@settings(FUZZ, max_examples=60)
@given(data=st.data())
def test_documents_against_the_schema_are_refused_with_a_code(
    target: Target, data: st.DataObject
) -> None:
    invalid = st.one_of(
        queries(target.schema, custom_scalars=SCALARS, mode=Mode.NEGATIVE),
        mutations(target.schema, custom_scalars=SCALARS, mode=Mode.NEGATIVE),
    )
    document = data.draw(invalid)

    response = target.post(document)

    check_answer(document, response)
    codes = {e["extensions"]["code"] for e in response.json().get("errors") or []}
    assert codes & {"GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED"}, document


def test_the_fuzzed_gateway_logged_no_unexpected_error(target: Target) -> None:
    # Runs after the generated operations above, and before the known failures
    # below, which log theirs; a masked error logs its traceback.
    body = target.post("{ viewer { tenant } }").json()

    assert body["data"]["viewer"]["tenant"]
    assert_logged_no_unexpected_error(target.gateway)


PRICE_CREATE = """mutation ($decimal: String!) {
  priceCreate(input: {product: "prod_any",
                      unitAmount: {decimal: $decimal, currency: "usd"}}) {
    price { id }
    userErrors { field code message }
  }
}"""


@pytest.mark.parametrize(
    ("decimal", "message"),
    [
        ("NaN", "not a number"),
        ("sNaN", "not a number"),
        ("Infinity", "not a number"),
        ("1e999999", "at most 8 digits"),
        ("1e-999999999", "2 decimal places"),
        ("1.00000000000000000000000000001", "2 decimal places"),
    ],
)
def test_an_amount_no_currency_can_hold_is_a_user_error(
    target: Target, decimal: str, message: str
) -> None:
    response = httpx.post(
        f"{target.gateway.url}/graphql",
        json={"query": PRICE_CREATE, "variables": {"decimal": decimal}},
    )

    payload = response.json()["data"]["priceCreate"]
    assert payload["price"] is None
    [problem] = payload["userErrors"]
    assert (problem["field"], problem["code"]) == ("unitAmount", "INVALID")
    assert message in problem["message"]


@settings(FUZZ, max_examples=100)
@given(data=st.data())
def test_variables_of_any_json_type_get_coded_answers(
    target: Target, data: st.DataObject
) -> None:
    documents = document_trees(target.schema)
    document, variables = data.draw(with_variables(documents, target.schema))
    text = graphql.print_ast(document)

    check_answer(f"{text}\nvariables: {variables!r}", target.post(text, variables))


WRONG_VARIABLE = """query ($first: Int) {
  customers(first: $first) { nodes { id } }
}"""


@pytest.mark.parametrize("first", ["ten", 1.5, True, [1], float("nan"), 2**31])
def test_a_variable_of_the_wrong_type_is_bad_user_input(
    target: Target, first: Any
) -> None:
    errors = target.post(WRONG_VARIABLE, {"first": first}).json()["errors"]

    assert [e["extensions"]["code"] for e in errors] == ["BAD_USER_INPUT"]
    assert "$first" in errors[0]["message"]


def test_a_number_too_long_to_read_is_a_bad_request(target: Target) -> None:
    body = '{"query": "{ viewer { tenant } }", "variables": {"n": 1%s}}' % ("0" * 5000)

    response = httpx.post(
        f"{target.gateway.url}/graphql",
        content=body.encode(),
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 400


@pytest.mark.parametrize(
    "value", ["ten", 1.5, True, [1], float("nan"), float("inf"), 2**31, 1e300]
)
def test_the_estimate_takes_a_variable_that_is_no_int_for_a_default_page(
    value: Any,
) -> None:
    # The estimate runs before GraphQL coerces variables, which then refuses these.
    assert page_size({"first": value}) == DEFAULT_PAGE_SIZE
    assert not embedded_page_suffices({"first": value})


def test_the_estimate_takes_an_integral_float_as_graphql_does() -> None:
    assert page_size({"first": 1000.0}) == 1000
