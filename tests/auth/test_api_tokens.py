"""Static API tokens: looked up in the tenant store, scoped by the tenant."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from gateway.auth import Authenticator
from tests.auth.tenants import InMemoryDirectory
from tests.auth.tokens import SECRET, present, refusal, settings


@pytest.fixture
def production_gateway(directory: InMemoryDirectory) -> Authenticator:
    """JWTs configured too: API tokens are still honoured beside them."""
    values = settings(gateway_env="production", gateway_jwt_secret=SecretStr(SECRET))
    return Authenticator(values, directory)


def test_api_token_scopes_never_exceed_the_tenants_integration(
    production_gateway: Authenticator,
) -> None:
    # The token asks customers:write and invoices:read; acme's key reads customers.
    principal = present(production_gateway, "sgw_acme_reader")

    assert principal.tenant_id == "acme"
    assert principal.scopes.names() == ["customers:read", "invoices:read"]


def test_token_without_the_prefix_is_looked_up_when_it_is_not_a_jwt(
    production_gateway: Authenticator,
) -> None:
    principal = present(production_gateway, "legacy-acme-token")

    assert principal.scopes.names() == ["products:read"]


def test_unknown_api_token_is_refused(production_gateway: Authenticator) -> None:
    refused = refusal(production_gateway, "sgw_not_issued_by_anyone")

    assert refused.message == "unknown API token"
    assert refused.error == "invalid_token"


def test_api_token_of_tenant_without_integration_is_refused(
    production_gateway: Authenticator,
) -> None:
    refused = refusal(production_gateway, "sgw_ghost")

    assert refused.message == "no Stripe integration for tenant 'ghost'"


def test_api_token_is_honoured_in_development(directory: InMemoryDirectory) -> None:
    gateway = Authenticator(settings(), directory)

    assert present(gateway, "sgw_acme_reader").tenant_id == "acme"
