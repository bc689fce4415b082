"""API keys and versions, checked before any endpoint runs."""

from __future__ import annotations

import base64
import binascii
import re

from .errors import StripeError

DEFAULT_VERSION = "2026-10-28.endive"
ACCEPTED_PREFIXES = ("sk_test_", "rk_test_")
_VERSION = re.compile(r"^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$")
_KEY_PREFIX = re.compile(r"^[a-z]+_(test|live)_")
_NO_KEY = (
    "You did not provide an API key. You need to provide your API key in the "
    "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
    "YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for "
    "details, or we can help at https://support.stripe.com/."
)


def api_key(authorization: str | None) -> str:
    """The key from a Bearer or Basic header, or Stripe's 401."""
    key = _extract(authorization or "")
    if not key:
        raise StripeError(401, _NO_KEY)
    if not key.startswith(ACCEPTED_PREFIXES):
        raise StripeError(401, f"Invalid API Key provided: {mask(key)}")
    return key


def mask(key: str, stars: int = 4) -> str:
    prefix = _KEY_PREFIX.match(key)
    head = prefix.group(0) if prefix else ""
    return f"{head}{'*' * stars}{key[-4:]}"


def api_version(header: str | None) -> str:
    if header is None:
        return DEFAULT_VERSION
    if not _VERSION.match(header):
        raise StripeError(400, f"Invalid Stripe API version: {header}")
    return header


def _extract(authorization: str) -> str:
    scheme, _, credentials = authorization.strip().partition(" ")
    credentials = credentials.strip()
    if scheme.lower() == "bearer":
        return credentials
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(credentials, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return ""
        return decoded.partition(":")[0]
    return ""
