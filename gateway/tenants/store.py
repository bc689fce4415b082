"""Tenants, their Stripe integrations and API tokens, in SQLite or PostgreSQL.

The same SQLAlchemy Core statements run on both. A Stripe key is written only
encrypted by the ``KeyVault``, and an API token only as its SHA-256 digest.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, cast

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    MetaData,
    Row,
    String,
    Table,
    Text,
    delete,
    event,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from gateway.tenants import ApiToken, Integration, KeyKind, Tenant
from gateway.tenants.crypto import KeyVault
from gateway.tenants.keys import check_key_format, is_livemode, mask_key
from resolvers.scopes import Scopes

TOKEN_PREFIX = "sgw_"
MAX_NAME_LENGTH = 200

_TENANT_ID = re.compile(r"[a-z0-9_-]{1,64}")
_ACCOUNT = re.compile(r"acct_[A-Za-z0-9]+")

metadata = MetaData()

tenants = Table(
    "tenants",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(MAX_NAME_LENGTH), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

integrations = Table(
    "stripe_integrations",
    metadata,
    Column(
        "tenant_id",
        String(64),
        ForeignKey("tenants.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("encrypted_key", Text, nullable=False),
    Column("masked_key", String(32), nullable=False),
    Column("key_kind", String(16), nullable=False),
    Column("livemode", Boolean, nullable=False),
    Column("scopes", Text, nullable=False),
    Column("account", String(255)),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", String(32), primary_key=True),
    Column(
        "tenant_id",
        String(64),
        ForeignKey("tenants.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("name", String(MAX_NAME_LENGTH), nullable=False),
    Column("digest", String(64), nullable=False, unique=True),
    Column("scopes", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


class TenantNotFound(LookupError):
    def __init__(self, tenant_id: str) -> None:
        super().__init__(f"there is no tenant '{tenant_id}'")
        self.tenant_id = tenant_id


class TenantExists(ValueError):
    def __init__(self, tenant_id: str) -> None:
        super().__init__(f"a tenant '{tenant_id}' already exists")
        self.tenant_id = tenant_id


class NoMasterKey(RuntimeError):
    """Keys cannot be stored or read without GATEWAY_SECRET_KEY."""

    def __init__(self) -> None:
        super().__init__(
            "no master key is configured (GATEWAY_SECRET_KEY), so tenants' "
            "Stripe keys cannot be stored or read"
        )


def check_tenant_id(tenant_id: str) -> str:
    if not _TENANT_ID.fullmatch(tenant_id):
        raise ValueError(
            "a tenant id is 1 to 64 characters of lowercase letters, digits, "
            "'-' and '_'"
        )
    return tenant_id


def check_tenant_name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= MAX_NAME_LENGTH or not name.isprintable():
        raise ValueError(
            f"a name is 1 to {MAX_NAME_LENGTH} printable characters, not blank"
        )
    return name


def check_account(account: str | None) -> str | None:
    if account is not None and not _ACCOUNT.fullmatch(account):
        raise ValueError("a Connect account id looks like acct_ and letters/digits")
    return account


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TenantStore:
    """The tenant directory, kept in a SQL database; ``open()`` before use."""

    def __init__(self, database_url: str, vault: KeyVault | None) -> None:
        self.database_url = database_url
        self._vault = vault
        self._engine: AsyncEngine | None = None

    def __repr__(self) -> str:
        return f"TenantStore({self.engine_name!r})"

    @property
    def has_master_key(self) -> bool:
        return self._vault is not None

    @property
    def engine_name(self) -> str:
        return self.database_url.partition(":")[0]

    async def open(self) -> None:
        """Connect, and create the tables that are missing."""
        engine = create_async_engine(self.database_url)
        if engine.dialect.name == "sqlite":
            # SQLite enforces foreign keys, and so cascades, only when asked to.
            event.listen(engine.sync_engine, "connect", _enforce_foreign_keys)
        async with engine.begin() as connection:
            await connection.run_sync(metadata.create_all)
        self._engine = engine

    async def close(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None

    async def __aenter__(self) -> TenantStore:
        await self.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            raise RuntimeError("the tenant store is not open")
        return self._engine

    # Tenants

    async def create_tenant(self, tenant_id: str, name: str) -> Tenant:
        tenant = Tenant(check_tenant_id(tenant_id), check_tenant_name(name), _now())
        try:
            async with self.engine.begin() as connection:
                await connection.execute(
                    insert(tenants).values(
                        id=tenant.id, name=tenant.name, created_at=tenant.created_at
                    )
                )
        except IntegrityError:
            raise TenantExists(tenant_id) from None
        return tenant

    async def get_tenant(self, tenant_id: str) -> Tenant | None:
        async with self.engine.connect() as connection:
            query = select(tenants).where(tenants.c.id == tenant_id)
            row = (await connection.execute(query)).first()
        return _tenant(row) if row else None

    async def list_tenants(self) -> list[Tenant]:
        async with self.engine.connect() as connection:
            rows = await connection.execute(select(tenants).order_by(tenants.c.id))
        return [_tenant(row) for row in rows]

    async def delete_tenant(self, tenant_id: str) -> bool:
        """Delete a tenant with its integration and tokens; False if none."""
        async with self.engine.begin() as connection:
            result = await connection.execute(
                delete(tenants).where(tenants.c.id == tenant_id)
            )
        return _rowcount(result) > 0

    # Stripe integrations

    async def save_integration(
        self, tenant_id: str, stripe_key: str, scopes: Scopes, account: str | None
    ) -> Integration:
        """Store a tenant's key, replacing any earlier one (which rotates it)."""
        kind = check_key_format(stripe_key)
        encrypted = self._require_vault().encrypt(stripe_key)
        integration = Integration(
            tenant_id=tenant_id,
            masked_key=mask_key(stripe_key),
            key_kind=kind,
            livemode=is_livemode(stripe_key),
            scopes=scopes.without_none(),
            account=check_account(account),
            updated_at=_now(),
        )
        async with self.engine.begin() as connection:
            await _require_tenant(connection, tenant_id)
            await connection.execute(
                delete(integrations).where(integrations.c.tenant_id == tenant_id)
            )
            await connection.execute(
                insert(integrations).values(
                    encrypted_key=encrypted, **_integration_row(integration)
                )
            )
        return integration

    async def integration(self, tenant_id: str) -> Integration | None:
        async with self.engine.connect() as connection:
            query = select(integrations).where(integrations.c.tenant_id == tenant_id)
            row = (await connection.execute(query)).first()
        return _integration(row) if row else None

    async def stripe_key(self, tenant_id: str) -> str | None:
        """The tenant's key in plain text, for calls to Stripe only."""
        async with self.engine.connect() as connection:
            query = select(integrations.c.encrypted_key).where(
                integrations.c.tenant_id == tenant_id
            )
            encrypted = (await connection.execute(query)).scalar()
        if encrypted is None:
            return None
        return self._require_vault().decrypt(encrypted)

    async def delete_integration(self, tenant_id: str) -> bool:
        async with self.engine.begin() as connection:
            result = await connection.execute(
                delete(integrations).where(integrations.c.tenant_id == tenant_id)
            )
        return _rowcount(result) > 0

    async def rotate_master_key(self) -> int:
        """Encrypt every stored key again under the newest master key."""
        vault = self._require_vault()
        async with self.engine.begin() as connection:
            query = select(integrations.c.tenant_id, integrations.c.encrypted_key)
            rows = (await connection.execute(query)).all()
            for tenant_id, encrypted in rows:
                await connection.execute(
                    update(integrations)
                    .where(integrations.c.tenant_id == tenant_id)
                    .values(encrypted_key=vault.rotate(encrypted))
                )
        return len(rows)

    # API tokens

    async def create_api_token(
        self, tenant_id: str, name: str, scopes: Scopes
    ) -> tuple[ApiToken, str]:
        """A new token and its plain text, which is shown once and never stored."""
        plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = ApiToken(
            id="tok_" + secrets.token_hex(8),
            tenant_id=tenant_id,
            name=check_tenant_name(name),
            scopes=scopes.without_none(),
            created_at=_now(),
        )
        async with self.engine.begin() as connection:
            await _require_tenant(connection, tenant_id)
            await connection.execute(
                insert(api_tokens).values(
                    digest=token_digest(plain), **_token_row(token)
                )
            )
        return token, plain

    async def find_api_token(self, token: str) -> ApiToken | None:
        # Looking up a digest reveals nothing about the token through timing,
        # and the final comparison is constant-time all the same.
        digest = token_digest(token)
        async with self.engine.connect() as connection:
            query = select(api_tokens).where(api_tokens.c.digest == digest)
            row = (await connection.execute(query)).first()
        if row is None or not hmac.compare_digest(row.digest, digest):
            return None
        return _api_token(row)

    async def list_api_tokens(self, tenant_id: str) -> list[ApiToken]:
        async with self.engine.connect() as connection:
            query = (
                select(api_tokens)
                .where(api_tokens.c.tenant_id == tenant_id)
                .order_by(api_tokens.c.created_at, api_tokens.c.id)
            )
            rows = await connection.execute(query)
        return [_api_token(row) for row in rows]

    async def revoke_api_token(self, tenant_id: str, token_id: str) -> bool:
        async with self.engine.begin() as connection:
            result = await connection.execute(
                delete(api_tokens).where(
                    api_tokens.c.tenant_id == tenant_id, api_tokens.c.id == token_id
                )
            )
        return _rowcount(result) > 0

    def _require_vault(self) -> KeyVault:
        if self._vault is None:
            raise NoMasterKey()
        return self._vault


def _enforce_foreign_keys(dbapi_connection: Any, connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


async def _require_tenant(connection: AsyncConnection, tenant_id: str) -> None:
    query = select(tenants.c.id).where(tenants.c.id == tenant_id)
    if (await connection.execute(query)).first() is None:
        raise TenantNotFound(tenant_id)


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; every stored one is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _rowcount(result: Any) -> int:
    return cast(int, result.rowcount)


def _scopes(text: str) -> Scopes:
    return Scopes.parse(text.split())


def _tenant(row: Row[Any]) -> Tenant:
    return Tenant(id=row.id, name=row.name, created_at=_utc(row.created_at))


def _integration_row(integration: Integration) -> dict[str, Any]:
    return {
        "tenant_id": integration.tenant_id,
        "masked_key": integration.masked_key,
        "key_kind": integration.key_kind,
        "livemode": integration.livemode,
        "scopes": " ".join(integration.scopes.names()),
        "account": integration.account,
        "updated_at": integration.updated_at,
    }


def _integration(row: Row[Any]) -> Integration:
    return Integration(
        tenant_id=row.tenant_id,
        masked_key=row.masked_key,
        key_kind=cast(KeyKind, row.key_kind),
        livemode=row.livemode,
        scopes=_scopes(row.scopes),
        account=row.account,
        updated_at=_utc(row.updated_at),
    )


def _token_row(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.id,
        "tenant_id": token.tenant_id,
        "name": token.name,
        "scopes": " ".join(token.scopes.names()),
        "created_at": token.created_at,
    }


def _api_token(row: Row[Any]) -> ApiToken:
    return ApiToken(
        id=row.id,
        tenant_id=row.tenant_id,
        name=row.name,
        scopes=_scopes(row.scopes),
        created_at=_utc(row.created_at),
    )
