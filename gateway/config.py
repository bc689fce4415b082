"""Configuration, read from the environment once at start-up and then frozen."""

from __future__ import annotations

import base64
import binascii
import re
import sys
from typing import Literal, NoReturn

from pydantic import Field, HttpUrl, SecretStr, ValidationError, field_validator
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, SettingsConfigDict

from resolvers.scopes import Scopes

_HOST_PATTERN = re.compile(r"[A-Za-z0-9.:\[\]-]{1,253}")


class Settings(BaseSettings):
    """Every setting the gateway reads; see the README for the table."""

    model_config = SettingsConfigDict(frozen=True, extra="ignore")

    gateway_env: Literal["development", "production"] = "development"
    gateway_host: str = "127.0.0.1"
    gateway_port: int = Field(default=8000, ge=1, le=65535)
    stripe_api_key: SecretStr | None = None
    stripe_api_base: HttpUrl | None = None
    stripe_account: str | None = None
    stripe_timeout: float = Field(default=10.0, gt=0, le=600)
    stripe_max_network_retries: int = Field(default=2, ge=0, le=10)
    stripe_lock_retries: int = Field(default=3, ge=0, le=10)
    stripe_concurrency: int = Field(default=8, ge=1, le=100)
    # Stripe's documented per-account limits, in requests a second.
    stripe_rate_limit_live: float = Field(default=100.0, gt=0, le=100_000)
    stripe_rate_limit_test: float = Field(default=25.0, gt=0, le=100_000)
    gateway_planner: bool = True
    gateway_max_stripe_calls: int = Field(default=50, ge=1, le=10_000)
    gateway_request_timeout: float = Field(default=30.0, gt=0, le=600)
    gateway_max_body_bytes: int = Field(default=262_144, ge=1024, le=100_000_000)
    gateway_body_timeout: float = Field(default=10.0, gt=0, le=600)
    gateway_shutdown_timeout: float = Field(default=10.0, ge=0, le=600)
    gateway_introspection: bool | None = None
    gateway_cors_origins: str = ""
    gateway_log_format: Literal["json", "text"] = "json"
    gateway_log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    gateway_metrics_port: int | None = Field(default=None, ge=1, le=65535)
    otel_exporter_otlp_endpoint: HttpUrl | None = None
    otel_service_name: str = "stripe-graphql-gateway"

    gateway_database_url: str = "sqlite+aiosqlite:///gateway.sqlite3"
    gateway_secret_key: SecretStr | None = None
    gateway_admin_token: SecretStr | None = None
    gateway_scopes: str = " ".join(Scopes.everything().names())
    gateway_default_tenant: str = "default"

    gateway_jwt_jwks_url: HttpUrl | None = None
    gateway_jwt_public_key: SecretStr | None = None
    gateway_jwt_secret: SecretStr | None = None
    gateway_jwt_issuer: str | None = None
    gateway_jwt_audience: str | None = None
    gateway_jwt_tenant_claim: str = "tenantId"
    gateway_jwt_scopes_claim: str | None = None

    @field_validator("stripe_api_key")
    @classmethod
    def _key_format(cls, key: SecretStr | None) -> SecretStr | None:
        # Publishable keys cannot read server-side objects; catch the mix-up early.
        if key is not None and not key.get_secret_value().startswith(("sk_", "rk_")):
            raise ValueError("must be a secret (sk_) or restricted (rk_) key")
        return key

    @field_validator("gateway_host")
    @classmethod
    def _host_format(cls, host: str) -> str:
        # An empty host would make uvicorn listen on every interface.
        if not _HOST_PATTERN.fullmatch(host):
            raise ValueError("must be an IP address or a host name")
        return host

    @field_validator("gateway_admin_token")
    @classmethod
    def _admin_token_length(cls, token: SecretStr | None) -> SecretStr | None:
        if token is not None and len(token.get_secret_value()) < 24:
            raise ValueError("must be at least 24 characters")
        return token

    @field_validator("stripe_account")
    @classmethod
    def _account_format(cls, account: str | None) -> str | None:
        if account is not None and not account.startswith("acct_"):
            raise ValueError("must be a Connect account id starting with acct_")
        return account

    @field_validator("gateway_scopes")
    @classmethod
    def _scopes_format(cls, scopes: str) -> str:
        Scopes.parse(scopes.split())  # raises ScopeError, a ValueError
        return scopes

    @field_validator("gateway_secret_key")
    @classmethod
    def _master_keys_format(cls, keys: SecretStr | None) -> SecretStr | None:
        if keys is not None:
            master_keys(keys)
        return keys

    @property
    def default_scopes(self) -> Scopes:
        return Scopes.parse(self.gateway_scopes.split())

    @property
    def jwt_configured(self) -> bool:
        return any(
            (
                self.gateway_jwt_jwks_url,
                self.gateway_jwt_public_key,
                self.gateway_jwt_secret,
            )
        )

    @property
    def production(self) -> bool:
        return self.gateway_env == "production"

    @property
    def introspection(self) -> bool:
        """Introspection is on in development and off in production, unless set."""
        if self.gateway_introspection is None:
            return not self.production
        return self.gateway_introspection

    @property
    def cors_origins(self) -> list[str]:
        return [o.strip() for o in self.gateway_cors_origins.split(",") if o.strip()]


def master_keys(keys: SecretStr) -> list[str]:
    """The Fernet master keys, newest first, from a comma-separated value."""
    values = [k.strip() for k in keys.get_secret_value().split(",") if k.strip()]
    if not values:
        raise ValueError("must hold at least one Fernet key")
    for value in values:
        _check_fernet_key(value)
    return values


def _check_fernet_key(value: str) -> None:
    try:
        decoded = base64.urlsafe_b64decode(value.encode())
    except (ValueError, binascii.Error):
        decoded = b""
    if len(decoded) != 32:
        raise ValueError(
            "each key must be 32 url-safe base64-encoded bytes "
            "(make one with `stripe-gateway new-secret-key`)"
        )


class ConfigError(Exception):
    """The environment holds settings the gateway cannot start with."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def load_settings(**overrides: object) -> Settings:
    """Read and check the settings; raise ConfigError with one line per problem."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise ConfigError([_describe(error) for error in exc.errors()]) from None

    # Without a key, development runs the sandbox and production only tenants'
    # keys, which carry their own accounts: these would be silently ignored.
    ignored = ["stripe_account"] + ([] if settings.production else ["stripe_api_base"])
    if settings.stripe_api_key is None:
        for name in ignored:
            if getattr(settings, name) is not None:
                problem = "has no effect without STRIPE_API_KEY; set both or neither"
                raise ConfigError([f"{name.upper()}: {problem}"])

    if settings.gateway_admin_token is not None and settings.gateway_secret_key is None:
        raise ConfigError(
            ["GATEWAY_SECRET_KEY: required with GATEWAY_ADMIN_TOKEN, to encrypt keys"]
        )

    # In production every Stripe key is real: the environment's own, or tenants'
    # keys kept encrypted in the store.
    keyless = settings.stripe_api_key is None and settings.gateway_secret_key is None
    if settings.production and keyless:
        raise ConfigError(
            [
                "STRIPE_API_KEY: required when GATEWAY_ENV=production, unless "
                "GATEWAY_SECRET_KEY is set for tenants' own keys"
            ]
        )
    return settings


def load_settings_or_exit(**overrides: object) -> Settings:
    try:
        return load_settings(**overrides)
    except ConfigError as exc:
        exit_with(exc)


def exit_with(exc: ConfigError) -> NoReturn:
    """Print each configuration problem on its own line and stop."""
    for line in exc.lines:
        print(f"configuration error: {line}", file=sys.stderr)
    raise SystemExit(2) from None


def _describe(error: ErrorDetails) -> str:
    # Name the variable, never echo the value: it may be a key.
    variable = str(error["loc"][0]).upper() if error["loc"] else "?"
    message = error["msg"]
    return f"{variable}: {message.removeprefix('Value error, ')}"
