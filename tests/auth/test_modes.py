"""Requests without a token, malformed headers, and start-up configuration."""

from __future__ import annotations

import asyncio

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import SecretStr

from gateway.auth import AuthenticationFailed, Authenticator
from gateway.config import ConfigError
from tests.auth.tenants import InMemoryDirectory
from tests.auth.tokens import SECRET, Issuer, present, public_pem, refusal, settings


def test_development_without_jwt_lets_anonymous_requests_act_as_default_tenant(
    directory: InMemoryDirectory,
) -> None:
    values = settings(gateway_default_tenant="sandbox", gateway_scopes="customers:read")
    gateway = Authenticator(values, directory)

    principal = present(gateway, None)

    assert gateway.anonymous_allowed
    assert principal.tenant_id == "sandbox"
    assert principal.scopes.names() == ["customers:read"]
    assert gateway.describe() == (
        "development: requests without a token act as tenant 'sandbox' with "
        "scopes customers:read; API tokens are honoured"
    )


def test_development_banner_names_all_scopes_briefly(
    directory: InMemoryDirectory,
) -> None:
    gateway = Authenticator(settings(), directory)

    assert "tenant 'default' with all scopes" in gateway.describe()


def test_development_with_jwt_configured_needs_a_token(
    directory: InMemoryDirectory,
) -> None:
    gateway = Authenticator(settings(gateway_jwt_secret=SecretStr(SECRET)), directory)

    refused = refusal(gateway, None)

    assert not gateway.anonymous_allowed
    assert refused.error is None


def test_production_without_a_header_is_refused(directory: InMemoryDirectory) -> None:
    gateway = Authenticator(settings(gateway_env="production"), directory)

    refused = refusal(gateway, None)

    assert not gateway.anonymous_allowed
    assert refused.message == "missing Authorization header: send 'Bearer <token>'"
    assert refused.www_authenticate == 'Bearer realm="stripe-gateway"'
    assert gateway.describe() == (
        "production: every request needs an API token (Bearer sgw_...)"
    )


def test_banner_names_the_jwt_checks_but_no_secret(
    directory: InMemoryDirectory,
) -> None:
    values = settings(
        gateway_env="production",
        gateway_jwt_secret=SecretStr(SECRET),
        gateway_jwt_issuer="https://id.example.test/",
        gateway_jwt_audience="stripe-gateway",
    )

    banner = Authenticator(values, directory).describe()

    assert banner == (
        "production: every request needs a bearer token: an API token, or a JWT "
        "signed with the shared secret (HS256), issuer 'https://id.example.test/', "
        "audience 'stripe-gateway'"
    )
    assert SECRET not in banner


def test_header_name_is_case_insensitive(directory: InMemoryDirectory) -> None:
    gateway = Authenticator(settings(gateway_env="production"), directory)
    headers = {"AUTHORIZATION": "bearer sgw_acme_reader"}

    principal = asyncio.run(gateway.authenticate(headers))

    assert principal.tenant_id == "acme"


@pytest.mark.parametrize("value", ["Basic YWRtaW46YWRtaW4=", "Bearer", "sgw_acme"])
def test_header_other_than_bearer_is_a_bad_request(
    directory: InMemoryDirectory, value: str
) -> None:
    gateway = Authenticator(settings(), directory)

    with pytest.raises(AuthenticationFailed) as refused:
        asyncio.run(gateway.authenticate({"Authorization": value}))

    assert refused.value.error == "invalid_request"


def test_only_one_jwt_key_source_may_be_configured(
    directory: InMemoryDirectory, rsa_key: rsa.RSAPrivateKey
) -> None:
    values = settings(
        gateway_jwt_secret=SecretStr(SECRET),
        gateway_jwt_public_key=SecretStr(public_pem(rsa_key)),
    )

    with pytest.raises(ConfigError, match="set only one of them"):
        Authenticator(values, directory)


def test_short_secret_is_a_configuration_error(directory: InMemoryDirectory) -> None:
    values = settings(gateway_jwt_secret=SecretStr("too-short"))

    with pytest.raises(ConfigError, match="GATEWAY_JWT_SECRET: must be at least 32"):
        Authenticator(values, directory)


def test_long_secret_also_accepts_stronger_hmac(directory: InMemoryDirectory) -> None:
    secret = "s" * 64
    gateway = Authenticator(settings(gateway_jwt_secret=SecretStr(secret)), directory)

    principal = present(gateway, Issuer(secret, "HS512").token())

    assert principal.tenant_id == "acme"


def test_private_key_given_as_public_key_is_a_configuration_error(
    directory: InMemoryDirectory, rsa_key: rsa.RSAPrivateKey
) -> None:
    private_pem = rsa_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    values = settings(gateway_jwt_public_key=SecretStr(private_pem))

    with pytest.raises(ConfigError, match="not the private key"):
        Authenticator(values, directory)


def test_garbage_public_key_is_a_configuration_error(
    directory: InMemoryDirectory,
) -> None:
    values = settings(gateway_jwt_public_key=SecretStr("not a key"))

    with pytest.raises(ConfigError, match="not a PEM public key"):
        Authenticator(values, directory)
