"""The committed SDL is the contract other tools build against."""

from __future__ import annotations

from pathlib import Path

import stripe
from graphql import GraphQLInterfaceType, GraphQLObjectType

from resolvers.stripe_api import STRIPE_API_VERSION
from schema import schema

SCHEMA_FILE = Path(__file__).parent.parent / "schema.graphql"


def test_committed_schema_matches_the_live_schema() -> None:
    committed = SCHEMA_FILE.read_text()

    assert committed.strip() == schema.as_str().strip(), (
        "schema.graphql is stale: run `make schema` and commit it"
    )


def test_every_field_and_argument_has_a_description() -> None:
    missing = []
    for name, graphql_type in schema._schema.type_map.items():
        if name.startswith("__") or not isinstance(
            graphql_type, GraphQLObjectType | GraphQLInterfaceType
        ):
            continue
        for field_name, field in graphql_type.fields.items():
            if not field.description:
                missing.append(f"{name}.{field_name}")
            missing += [
                f"{name}.{field_name}({arg})"
                for arg, argument in field.args.items()
                if not argument.description
            ]

    assert missing == []


def test_api_version_is_the_sdks_pinned_version() -> None:
    assert stripe.api_version == STRIPE_API_VERSION
