"""Configuration shared by the tests of logs, metrics and traces."""

from __future__ import annotations

import secrets

from cryptography.fernet import Fernet

from tests.conftest import SANDBOX_KEY
from tests.sandbox_server import SandboxProcess

ADMIN_TOKEN = "observability-admin-token-" + secrets.token_hex(8)


def gateway_env(sandbox: SandboxProcess, **extra: str) -> dict[str, str]:
    """A gateway on the sandbox, with an admin token, and ``extra`` settings."""
    return {
        "STRIPE_API_KEY": SANDBOX_KEY,
        "STRIPE_API_BASE": sandbox.url,
        "STRIPE_RATE_LIMIT_TEST": "1000",
        "GATEWAY_ADMIN_TOKEN": ADMIN_TOKEN,
        "GATEWAY_SECRET_KEY": Fernet.generate_key().decode(),
        **extra,
    }
