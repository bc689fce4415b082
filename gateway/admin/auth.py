"""Who may use the admin: the holder of the admin token.

Automation sends it as a Bearer token; a person signs in with it once and
then holds a signed session cookie, and every form they post carries the
session's CSRF token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from typing import Any

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

SESSION_ADMIN = "admin"
SESSION_CSRF = "csrf"


def token_matches(presented: str, admin_token: str) -> bool:
    return hmac.compare_digest(presented.encode(), admin_token.encode())


def session_secret(admin_token: str) -> str:
    """The session-signing key, derived so that a new admin token ends sessions."""
    return hmac.new(
        admin_token.encode(), b"stripe-gateway admin session", hashlib.sha256
    ).hexdigest()


def bearer_token(headers: Headers) -> str:
    scheme, _, credentials = headers.get("authorization", "").partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" else ""


def csrf_token(session: dict[str, Any]) -> str:
    """The session's CSRF token, made on first use."""
    if SESSION_CSRF not in session:
        session[SESSION_CSRF] = secrets.token_urlsafe(32)
    return str(session[SESSION_CSRF])


def csrf_matches(session: Mapping[str, Any], presented: object) -> bool:
    expected = session.get(SESSION_CSRF)
    if not isinstance(expected, str) or not isinstance(presented, str):
        return False
    return hmac.compare_digest(presented.encode(), expected.encode())


class RequireAdminToken:
    """Refuse, with a JSON 401, any request without the admin Bearer token."""

    def __init__(self, app: ASGIApp, admin_token: str) -> None:
        self.app = app
        self.admin_token = admin_token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        presented = bearer_token(Headers(scope=scope))
        if scope["type"] != "http" or token_matches(presented, self.admin_token):
            await self.app(scope, receive, send)
            return
        response = JSONResponse(
            {
                "error": {
                    "code": "unauthenticated",
                    "message": "send the admin token as 'Authorization: Bearer …'",
                    "field": None,
                }
            },
            status_code=401,
            headers={"WWW-Authenticate": 'Bearer realm="admin"'},
        )
        await response(scope, receive, send)
