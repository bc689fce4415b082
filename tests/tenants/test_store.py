"""The tenant store on a SQLite file, and what reaches that file's bytes."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.tenants.crypto import KeyVault
from gateway.tenants.store import TenantStore
from tests.tenants.store_contract import (
    READ_CUSTOMERS,
    RESTRICTED_KEY,
    SECRET_KEY,
    StoreContract,
    run,
)


@pytest.fixture
def database_path(tmp_path: Path) -> Path:
    return tmp_path / "gateway.sqlite3"


@pytest.fixture
def database_url(database_path: Path) -> str:
    return f"sqlite+aiosqlite:///{database_path}"


def database_bytes(database_path: Path) -> bytes:
    """The database file and any journal SQLite left beside it."""
    suffixes = ("", "-wal", "-journal", "-shm")
    paths = [database_path.with_name(database_path.name + s) for s in suffixes]
    return b"".join(path.read_bytes() for path in paths if path.exists())


class TestStoreOnSQLite(StoreContract):
    pass


def test_no_plain_key_or_token_reaches_the_file(
    database_url: str, database_path: Path, vault: KeyVault
) -> None:
    tokens: list[str] = []

    async def scenario(store: TenantStore) -> None:
        await store.create_tenant("acme", "Acme")
        await store.save_integration("acme", SECRET_KEY, READ_CUSTOMERS, None)
        # A replaced row may linger in a free page: it too must be ciphertext.
        await store.save_integration("acme", RESTRICTED_KEY, READ_CUSTOMERS, None)
        tokens.append((await store.create_api_token("acme", "ci", READ_CUSTOMERS))[1])

    run(database_url, vault, scenario)
    stored = database_bytes(database_path)

    assert b"rk_test_" + b"\xe2\x80\xa6wxyz" in stored  # the masked key is kept
    for secret in (RESTRICTED_KEY, SECRET_KEY, tokens[0]):
        assert secret.encode() not in stored
        assert secret[-8:].encode() not in stored


def test_a_closed_store_says_so(database_url: str, vault: KeyVault) -> None:
    store = TenantStore(database_url, vault)

    with pytest.raises(RuntimeError, match="not open"):
        _ = store.engine
