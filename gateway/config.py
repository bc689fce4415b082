"""Configuration, read from the environment once at start-up and then frozen."""

from __future__ import annotations

import sys
from typing import Literal

from pydantic import Field, HttpUrl, SecretStr, ValidationError, field_validator
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting the gateway reads; see the README for the table."""

    model_config = SettingsConfigDict(frozen=True, extra="ignore")

    gateway_env: Literal["development", "production"] = "development"
    gateway_host: str = "127.0.0.1"
    gateway_port: int = Field(default=8000, ge=1, le=65535)
    stripe_api_key: SecretStr | None = None
    stripe_api_base: HttpUrl | None = None
    stripe_account: str | None = None
    stripe_timeout: float = Field(default=30.0, gt=0, le=600)
    stripe_max_network_retries: int = Field(default=2, ge=0, le=10)
    stripe_concurrency: int = Field(default=8, ge=1, le=100)

    @field_validator("stripe_api_key")
    @classmethod
    def _key_format(cls, key: SecretStr | None) -> SecretStr | None:
        # Publishable keys cannot read server-side objects; catch the mix-up early.
        if key is not None and not key.get_secret_value().startswith(("sk_", "rk_")):
            raise ValueError("must be a secret (sk_) or restricted (rk_) key")
        return key

    @field_validator("stripe_account")
    @classmethod
    def _account_format(cls, account: str | None) -> str | None:
        if account is not None and not account.startswith("acct_"):
            raise ValueError("must be a Connect account id starting with acct_")
        return account

    @property
    def production(self) -> bool:
        return self.gateway_env == "production"


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

    if settings.production and settings.stripe_api_key is None:
        raise ConfigError(["STRIPE_API_KEY: required when GATEWAY_ENV=production"])
    return settings


def load_settings_or_exit(**overrides: object) -> Settings:
    try:
        return load_settings(**overrides)
    except ConfigError as exc:
        for line in exc.lines:
            print(f"configuration error: {line}", file=sys.stderr)
        raise SystemExit(2) from None


def _describe(error: ErrorDetails) -> str:
    # Name the variable, never echo the value: it may be a key.
    variable = str(error["loc"][0]).upper() if error["loc"] else "?"
    message = error["msg"]
    return f"{variable}: {message.removeprefix('Value error, ')}"
