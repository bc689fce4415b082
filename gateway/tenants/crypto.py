"""Encryption of tenants' Stripe keys at rest under rotating master keys."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class UndecryptableKey(Exception):
    """A stored key that none of the configured master keys opens."""


class KeyVault:
    """Fernet encryption: the first master key encrypts, every one decrypts."""

    def __init__(self, master_keys: Sequence[str]) -> None:
        if not master_keys:
            raise ValueError("a key vault needs at least one master key")
        self._fernet = MultiFernet([Fernet(key.encode()) for key in master_keys])

    def __repr__(self) -> str:
        return "KeyVault(...)"

    def encrypt(self, plain: str) -> str:
        return self._fernet.encrypt(plain.encode()).decode()

    def decrypt(self, token: str) -> str:
        with _opening():
            return self._fernet.decrypt(token.encode()).decode()

    def rotate(self, token: str) -> str:
        """The same plaintext, encrypted again under the newest master key."""
        with _opening():
            return self._fernet.rotate(token.encode()).decode()


@contextmanager
def _opening() -> Iterator[None]:
    try:
        yield
    except InvalidToken:
        raise UndecryptableKey(
            "a stored key cannot be decrypted with the configured master keys"
        ) from None


def new_master_key() -> str:
    return Fernet.generate_key().decode()
