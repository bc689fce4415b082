"""Bearer JWTs: verified against a secret or a PEM key, scoped by the tenant."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.utils import base64url_encode
from pydantic import SecretStr

from gateway.auth import Authenticator
from tests.auth.tenants import InMemoryDirectory
from tests.auth.tokens import SECRET, Issuer, present, public_pem, refusal, settings

HOUR = 3600


@pytest.fixture
def hs_issuer() -> Issuer:
    return Issuer(SECRET, "HS256")


@pytest.fixture
def hs_gateway(directory: InMemoryDirectory) -> Authenticator:
    return Authenticator(settings(gateway_jwt_secret=SecretStr(SECRET)), directory)


@pytest.fixture
def strict_gateway(directory: InMemoryDirectory) -> Authenticator:
    """Checks issuer and audience too."""
    values = settings(
        gateway_jwt_secret=SecretStr(SECRET),
        gateway_jwt_issuer="https://id.example.test/",
        gateway_jwt_audience="stripe-gateway",
    )
    return Authenticator(values, directory)


@pytest.fixture
def rs_gateway(
    directory: InMemoryDirectory, rsa_key: rsa.RSAPrivateKey
) -> Authenticator:
    values = settings(gateway_jwt_public_key=SecretStr(public_pem(rsa_key)))
    return Authenticator(values, directory)


def test_hs256_token_names_tenant_and_scopes(
    hs_gateway: Authenticator, hs_issuer: Issuer
) -> None:
    token = hs_issuer.token(scope="customers:read products:read")

    principal = present(hs_gateway, token)

    assert principal.tenant_id == "acme"
    assert principal.scopes.names() == ["customers:read", "products:read"]


def test_rs256_token_verified_with_pem_key(
    rs_gateway: Authenticator, rsa_key: rsa.RSAPrivateKey
) -> None:
    token = Issuer(rsa_key, "RS256").token(scope="invoices:read")

    principal = present(rs_gateway, token)

    assert principal.tenant_id == "acme"
    assert principal.scopes.names() == ["invoices:read"]


def test_es256_token_verified_with_pem_key(
    directory: InMemoryDirectory, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    values = settings(gateway_jwt_public_key=SecretStr(public_pem(ec_key)))
    gateway = Authenticator(values, directory)

    principal = present(gateway, Issuer(ec_key, "ES256").token(scope="products:read"))

    assert principal.scopes.names() == ["products:read"]


def test_pem_key_with_escaped_newlines_is_accepted(
    directory: InMemoryDirectory, rsa_key: rsa.RSAPrivateKey
) -> None:
    escaped = public_pem(rsa_key).replace("\n", "\\n")
    gateway = Authenticator(
        settings(gateway_jwt_public_key=SecretStr(escaped)), directory
    )

    principal = present(gateway, Issuer(rsa_key, "RS256").token())

    assert principal.tenant_id == "acme"


def test_issuer_and_audience_are_accepted_when_they_match(
    strict_gateway: Authenticator, hs_issuer: Issuer
) -> None:
    token = hs_issuer.token(iss="https://id.example.test/", aud="stripe-gateway")

    assert present(strict_gateway, token).tenant_id == "acme"


def test_expired_token_is_refused(hs_gateway: Authenticator, hs_issuer: Issuer) -> None:
    token = hs_issuer.token(exp=int(time.time()) - HOUR)

    refused = refusal(hs_gateway, token)

    assert refused.message == "token has expired"
    assert refused.error == "invalid_token"


def test_token_without_expiry_is_refused(
    hs_gateway: Authenticator, hs_issuer: Issuer
) -> None:
    refused = refusal(hs_gateway, hs_issuer.token(exp=None))

    assert refused.message == "token has no 'exp' claim"


def test_token_not_yet_valid_is_refused(
    hs_gateway: Authenticator, hs_issuer: Issuer
) -> None:
    token = hs_issuer.token(nbf=int(time.time()) + HOUR)

    assert (
        refusal(hs_gateway, token).message == "token is not valid yet (its nbf or iat)"
    )


def test_wrong_audience_is_refused(
    strict_gateway: Authenticator, hs_issuer: Issuer
) -> None:
    token = hs_issuer.token(iss="https://id.example.test/", aud="another-api")

    assert refusal(strict_gateway, token).message == (
        "token is meant for another audience"
    )


def test_missing_audience_is_refused_when_one_is_required(
    strict_gateway: Authenticator, hs_issuer: Issuer
) -> None:
    token = hs_issuer.token(iss="https://id.example.test/")

    assert refusal(strict_gateway, token).message == "token has no 'aud' claim"


def test_audience_is_not_checked_when_none_is_configured(
    hs_gateway: Authenticator, hs_issuer: Issuer
) -> None:
    token = hs_issuer.token(aud="some-other-api")

    assert present(hs_gateway, token).tenant_id == "acme"


def test_wrong_issuer_is_refused(
    strict_gateway: Authenticator, hs_issuer: Issuer
) -> None:
    token = hs_issuer.token(iss="https://evil.example.test/", aud="stripe-gateway")

    assert refusal(strict_gateway, token).message == "token comes from another issuer"


def test_token_signed_with_another_secret_is_refused(hs_gateway: Authenticator) -> None:
    token = Issuer("another-shared-secret-of-32-bytes-or-more", "HS256").token()

    assert refusal(hs_gateway, token).message == "token signature is invalid"


def test_token_signed_with_another_rsa_key_is_refused(
    rs_gateway: Authenticator, other_rsa_key: rsa.RSAPrivateKey
) -> None:
    token = Issuer(other_rsa_key, "RS256").token()

    assert refusal(rs_gateway, token).message == "token signature is invalid"


def test_unsigned_token_is_refused(hs_gateway: Authenticator) -> None:
    token = Issuer(None, "none").token()

    refused = refusal(hs_gateway, token)

    assert refused.message == "token's signing algorithm is not accepted"


def test_hmac_token_keyed_with_the_public_key_is_refused(
    rs_gateway: Authenticator, rsa_key: rsa.RSAPrivateKey
) -> None:
    # The classic confusion: anyone knows the public key, and uses it as an
    # HMAC secret hoping the verifier does the same.
    token = _hmac_signed(public_pem(rsa_key).encode())

    refused = refusal(rs_gateway, token)

    assert refused.message == "token's signing algorithm is not accepted"


def test_token_for_tenant_without_integration_is_refused(
    hs_gateway: Authenticator, hs_issuer: Issuer
) -> None:
    token = hs_issuer.token(tenantId="ghost")

    refused = refusal(hs_gateway, token)

    assert refused.message == "no Stripe integration for tenant 'ghost'"


def test_token_without_tenant_is_refused(
    hs_gateway: Authenticator, hs_issuer: Issuer
) -> None:
    token = hs_issuer.token(tenantId=None)

    assert refusal(hs_gateway, token).message == "token has no 'tenantId' claim"


def test_tenant_read_from_configured_claim(
    directory: InMemoryDirectory, hs_issuer: Issuer
) -> None:
    values = settings(
        gateway_jwt_secret=SecretStr(SECRET), gateway_jwt_tenant_claim="org_id"
    )
    gateway = Authenticator(values, directory)

    principal = present(gateway, hs_issuer.token(tenantId=None, org_id="acme"))

    assert principal.tenant_id == "acme"


def test_permissions_list_is_preferred_to_scope_string(
    hs_gateway: Authenticator, hs_issuer: Issuer
) -> None:
    token = hs_issuer.token(permissions=["invoices:read"], scope="customers:read")

    assert present(hs_gateway, token).scopes.names() == ["invoices:read"]


def test_scopes_read_from_configured_claim(
    directory: InMemoryDirectory, hs_issuer: Issuer
) -> None:
    values = settings(
        gateway_jwt_secret=SecretStr(SECRET), gateway_jwt_scopes_claim="scp"
    )
    gateway = Authenticator(values, directory)
    token = hs_issuer.token(
        scp=["products:read"], permissions=["customers:read"], scope="invoices:read"
    )

    assert present(gateway, token).scopes.names() == ["products:read"]


def test_configured_scopes_claim_may_be_a_string(
    directory: InMemoryDirectory, hs_issuer: Issuer
) -> None:
    values = settings(
        gateway_jwt_secret=SecretStr(SECRET), gateway_jwt_scopes_claim="scp"
    )
    gateway = Authenticator(values, directory)

    principal = present(gateway, hs_issuer.token(scp="customers:read products:read"))

    assert principal.scopes.names() == ["customers:read", "products:read"]


def test_token_without_scopes_is_authenticated_with_none(
    hs_gateway: Authenticator, hs_issuer: Issuer
) -> None:
    principal = present(hs_gateway, hs_issuer.token())

    assert principal.tenant_id == "acme"
    assert principal.scopes.names() == []


def test_other_applications_scopes_are_ignored(
    hs_gateway: Authenticator, hs_issuer: Issuer
) -> None:
    token = hs_issuer.token(scope="openid email calendar:write customers:read")

    assert present(hs_gateway, token).scopes.names() == ["customers:read"]


def test_scopes_claim_of_the_wrong_type_is_refused(
    hs_gateway: Authenticator, hs_issuer: Issuer
) -> None:
    refused = refusal(hs_gateway, hs_issuer.token(permissions={"customers": "read"}))

    assert refused.message == (
        "token's 'permissions' claim must be a string or a list of strings"
    )


def test_scopes_never_exceed_the_tenants_integration(
    hs_gateway: Authenticator, hs_issuer: Issuer
) -> None:
    # acme's Stripe key reads customers and writes invoices, nothing about charges.
    token = hs_issuer.token(scope="customers:write invoices:write charges:write")

    principal = present(hs_gateway, token)

    assert principal.scopes.names() == [
        "customers:read",
        "invoices:read",
        "invoices:write",
    ]


def test_jwt_is_refused_when_no_jwt_key_is_configured(
    directory: InMemoryDirectory, hs_issuer: Issuer
) -> None:
    gateway = Authenticator(settings(), directory)

    refused = refusal(gateway, hs_issuer.token())

    assert refused.message.startswith("JWTs are not accepted")


def test_refusal_challenge_carries_error_and_description(
    hs_gateway: Authenticator, hs_issuer: Issuer
) -> None:
    token = hs_issuer.token(exp=int(time.time()) - HOUR)

    refused = refusal(hs_gateway, token)

    assert refused.www_authenticate == (
        'Bearer realm="stripe-gateway", error="invalid_token", '
        'error_description="token has expired"'
    )


def _hmac_signed(secret: bytes) -> str:
    # PyJWT refuses to sign with a PEM as HMAC secret, so build the token by hand.
    header = _segment({"alg": "HS256", "typ": "JWT"})
    claims = _segment({"tenantId": "acme", "exp": int(time.time()) + HOUR})
    signing_input = f"{header}.{claims}".encode()
    signature = hmac.new(secret, signing_input, hashlib.sha256).digest()
    return f"{header}.{claims}.{base64url_encode(signature).decode()}"


def _segment(value: dict[str, object]) -> str:
    return base64url_encode(json.dumps(value).encode()).decode()


def test_the_default_tenant_acts_with_the_environments_key_and_scopes(
    directory: InMemoryDirectory, hs_issuer: Issuer
) -> None:
    values = settings(
        gateway_env="production",
        stripe_api_key=SecretStr("rk_live_environmentskey"),
        gateway_jwt_secret=SecretStr(SECRET),
        gateway_scopes="customers:write products:read",
    )
    gateway = Authenticator(values, directory)
    token = hs_issuer.token(tenantId="default", scope="customers:read invoices:read")

    principal = present(gateway, token)

    assert principal.tenant_id == "default"
    assert principal.scopes.names() == ["customers:read"]
