from collections.abc import Iterator

import pytest

from gateway.tenants.crypto import KeyVault, new_master_key
from tests.postgres import PostgresServer, postgres_server


@pytest.fixture
def vault() -> KeyVault:
    return KeyVault([new_master_key()])


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    yield from postgres_server()
