"""What a Stripe secret or restricted key looks like, and how it may be shown.

Error messages here name what is wrong with a key and never repeat the key.
"""

from __future__ import annotations

import re

from gateway.tenants import KeyKind

KIND_PREFIXES: dict[str, KeyKind] = {"rk_": "restricted", "sk_": "secret"}
MODES = ("test_", "live_")
MIN_SECRET_LENGTH = 8

_SECRET = re.compile(r"[A-Za-z0-9_]+")
_PREFIX = re.compile(r"^[a-z]{2}_(?:test|live)_")


def check_key_format(key: str) -> KeyKind:
    """The kind of a well-formed key; ValueError saying what is wrong otherwise."""
    if key != key.strip():
        raise ValueError("the key has spaces or line breaks around it")
    if key.startswith("pk_"):
        raise ValueError(
            "a publishable key (pk_) cannot read server-side objects; "
            "use a restricted (rk_) or secret (sk_) key"
        )
    kind = KIND_PREFIXES.get(key[:3])
    if kind is None or not key[3:].startswith(MODES):
        raise ValueError(
            "the key must start with rk_test_, rk_live_, sk_test_ or sk_live_"
        )
    _check_secret(key[8:])
    return kind


def _check_secret(secret: str) -> None:
    if not _SECRET.fullmatch(secret):
        raise ValueError(
            "the key may hold only letters, digits and underscores after its prefix"
        )
    if len(secret) < MIN_SECRET_LENGTH:
        raise ValueError(
            f"the key is too short: it needs at least {MIN_SECRET_LENGTH} "
            "characters after its prefix"
        )


def is_livemode(key: str) -> bool:
    return key[3:].startswith("live_")


def mask_key(key: str) -> str:
    """The key as safe to show: its prefix up to the mode and its last four."""
    prefix = _PREFIX.match(key)
    head = prefix.group(0) if prefix else ""
    return f"{head}…{key[-4:]}"
