"""Signing test tokens and presenting them to an Authenticator."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from gateway.auth import AuthenticationFailed, Authenticator
from gateway.config import Settings
from resolvers.context import Principal

SECRET = "a-shared-secret-of-at-least-32-bytes!"


def settings(**values: Any) -> Settings:
    """Settings from these values alone: the conftest clears the environment."""
    return Settings(**values)


@dataclass(frozen=True)
class Issuer:
    """Signs tokens for tenant acme, valid for five minutes, unless told otherwise.

    A claim given as None is left out of the token.
    """

    key: Any
    algorithm: str
    kid: str | None = None

    def token(self, **claims: Any) -> str:
        payload = {"tenantId": "acme", "exp": int(time.time()) + 300, **claims}
        headers = {"kid": self.kid} if self.kid else None
        return jwt.encode(
            {name: value for name, value in payload.items() if value is not None},
            self.key,
            algorithm=self.algorithm,
            headers=headers,
        )


def present(authenticator: Authenticator, token: str | None) -> Principal:
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    return asyncio.run(authenticator.authenticate(headers))


def refusal(authenticator: Authenticator, token: str | None) -> AuthenticationFailed:
    with pytest.raises(AuthenticationFailed) as refused:
        present(authenticator, token)
    if token is not None:
        assert token not in str(refused.value)
        assert token not in refused.value.www_authenticate
    return refused.value


def public_pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(
            serialization.Encoding.PEM,
            serialization.PublicFormat.SubjectPublicKeyInfo,
        )
        .decode()
    )
