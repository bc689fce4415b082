"""The same tenant store, on a real PostgreSQL server started for the session."""

import asyncio

import pytest

from gateway.tenants.crypto import KeyVault
from gateway.tenants.store import TenantStore
from tests.postgres import PostgresServer
from tests.tenants.store_contract import StoreContract


@pytest.fixture
def database_url(postgres: PostgresServer) -> str:
    return postgres.create_database()


class TestStoreOnPostgres(StoreContract):
    def test_runs_on_postgresql(self, database_url: str, vault: KeyVault) -> None:
        async def dialect() -> str:
            async with TenantStore(database_url, vault) as store:
                return store.engine.dialect.name

        assert asyncio.run(dialect()) == "postgresql"
