"""Tenants, their Stripe integrations and their API tokens.

The store keeps each tenant's Stripe key encrypted; everything outside the
store sees the key only through ``TenantDirectory.stripe_key``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from resolvers.scopes import Scopes

KeyKind = Literal["restricted", "secret"]


@dataclass(frozen=True)
class Tenant:
    id: str
    name: str
    created_at: datetime


@dataclass(frozen=True)
class Integration:
    """A tenant's Stripe connection, as safe to show: the key only masked."""

    tenant_id: str
    masked_key: str
    key_kind: KeyKind
    livemode: bool
    scopes: Scopes
    account: str | None
    updated_at: datetime


@dataclass(frozen=True)
class ApiToken:
    """A static token of a machine client; only its hash is stored."""

    id: str
    tenant_id: str
    name: str
    scopes: Scopes
    created_at: datetime


class TenantDirectory(Protocol):
    """What request handling needs from the tenant store."""

    async def integration(self, tenant_id: str) -> Integration | None: ...

    async def stripe_key(self, tenant_id: str) -> str | None: ...

    async def find_api_token(self, token: str) -> ApiToken | None: ...
