"""Errors answered outside a GraphQL execution, in GraphQL's response shape."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.responses import Response


def error_response(
    status: int,
    message: str,
    extensions: Mapping[str, Any],
    headers: Mapping[str, str] | None = None,
) -> Response:
    """``{"errors": [{"message", "extensions"}]}`` with an HTTP status.

    Written as ASCII: a message may quote the client's own text, and a lone
    surrogate in it would fail to encode as UTF-8 after the status was chosen.
    """
    body = {"errors": [{"message": message, "extensions": dict(extensions)}]}
    content = json.dumps(body, ensure_ascii=True, separators=(",", ":"))
    return Response(content, status, headers, media_type="application/json")
