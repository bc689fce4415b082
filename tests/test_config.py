"""Start-up configuration: one clear line per bad variable, and a non-zero exit."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

SERVE = [sys.executable, "-m", "gateway.cli", "serve", "--port", "1"]


def serve_with(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("STRIPE_", "GATEWAY_"))
    }
    return subprocess.run(
        SERVE, env={**clean, **env}, capture_output=True, text=True, timeout=30
    )


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"STRIPE_API_KEY": "pk_test_publishable123"}, "STRIPE_API_KEY"),
        ({"STRIPE_API_BASE": "not a url"}, "STRIPE_API_BASE"),
        ({"STRIPE_ACCOUNT": "cus_123"}, "STRIPE_ACCOUNT"),
        ({"STRIPE_TIMEOUT": "-1"}, "STRIPE_TIMEOUT"),
        ({"STRIPE_MAX_NETWORK_RETRIES": "many"}, "STRIPE_MAX_NETWORK_RETRIES"),
        ({"GATEWAY_ENV": "staging"}, "GATEWAY_ENV"),
        ({"GATEWAY_ENV": "production"}, "STRIPE_API_KEY"),
        ({"GATEWAY_HOST": ""}, "GATEWAY_HOST"),
        ({"STRIPE_API_BASE": "http://127.0.0.1:1"}, "STRIPE_API_BASE"),
        ({"GATEWAY_SCOPES": "customers:admin"}, "GATEWAY_SCOPES"),
        ({"GATEWAY_SECRET_KEY": "too-short"}, "GATEWAY_SECRET_KEY"),
    ],
)
def test_bad_setting_names_the_variable_and_exits(
    env: dict[str, str], variable: str
) -> None:
    result = serve_with(env)

    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"configuration error: {variable}:")


def test_each_bad_setting_gets_its_own_line() -> None:
    result = serve_with({"STRIPE_TIMEOUT": "soon", "GATEWAY_ENV": "staging"})

    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 2


def test_a_bad_key_is_never_echoed() -> None:
    result = serve_with({"STRIPE_API_KEY": "pk_live_supersecretvalue"})

    assert "supersecretvalue" not in result.stderr + result.stdout
