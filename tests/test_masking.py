"""Only the gateway's own errors reach clients as they are; the rest are masked."""

from __future__ import annotations

import strawberry

from resolvers.errors import RateLimited
from schema import GatewaySchema, MaskUnexpectedErrors


@strawberry.type
class Query:
    @strawberry.field
    def broken(self) -> str | None:
        raise RuntimeError("database password is hunter2")

    @strawberry.field
    def limited(self) -> str | None:
        raise RateLimited("Stripe's rate limit was reached; retry shortly.")

    @strawberry.field
    def fine(self) -> str:
        return "ok"


schema = GatewaySchema(query=Query, extensions=[MaskUnexpectedErrors])


def test_unexpected_errors_are_masked_as_internal() -> None:
    result = schema.execute_sync("{ broken fine }")

    assert result.data == {"broken": None, "fine": "ok"}
    [error] = result.errors or []
    assert error.message == "Internal error."
    assert error.extensions == {"code": "INTERNAL"}
    assert "hunter2" not in str(error.formatted)


def test_gateway_errors_keep_their_message_and_code() -> None:
    result = schema.execute_sync("{ limited }")

    [error] = result.errors or []
    assert error.message == "Stripe's rate limit was reached; retry shortly."
    assert error.extensions == {"code": "RATE_LIMITED"}
