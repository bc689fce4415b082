"""What every tenant store backend must do; each backend's module subclasses this.

A subclass supplies the ``database_url`` fixture: a fresh, empty database;
``vault`` comes from this package's conftest.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import select

from gateway.tenants.crypto import KeyVault, UndecryptableKey, new_master_key
from gateway.tenants.store import (
    NoMasterKey,
    TenantExists,
    TenantNotFound,
    TenantStore,
    api_tokens,
    integrations,
    tenants,
)
from resolvers.scopes import Access, Resource, Scopes

RESTRICTED_KEY = "rk_test_51HstoreRestrictedKey0001wxyz"
SECRET_KEY = "sk_live_51HstoreSecretKey0002abcd"
READ_CUSTOMERS = Scopes({Resource.CUSTOMERS: Access.READ})
BILLING = Scopes({Resource.INVOICES: Access.WRITE, Resource.PRICES: Access.READ})

Scenario = Callable[[TenantStore], Awaitable[None]]


def run(database_url: str, vault: KeyVault | None, scenario: Scenario) -> None:
    async def opened() -> None:
        async with TenantStore(database_url, vault) as store:
            await scenario(store)

    asyncio.run(opened())


async def raw_rows(store: TenantStore) -> list[tuple[Any, ...]]:
    """Every stored row of every table, as the database holds it."""
    async with store.engine.connect() as connection:
        rows: list[tuple[Any, ...]] = []
        for table in (tenants, integrations, api_tokens):
            rows.extend(tuple(row) for row in await connection.execute(select(table)))
    return rows


class StoreContract:
    def test_creates_finds_and_lists_tenants(
        self, database_url: str, vault: KeyVault
    ) -> None:
        async def scenario(store: TenantStore) -> None:
            acme = await store.create_tenant("acme", "  Acme Inc. ")
            await store.create_tenant("beta-co_2", "Beta")

            assert acme.name == "Acme Inc."
            assert acme.created_at.tzinfo is not None
            assert await store.get_tenant("acme") == acme
            assert await store.get_tenant("nobody") is None
            assert [t.id for t in await store.list_tenants()] == ["acme", "beta-co_2"]

        run(database_url, vault, scenario)

    def test_refuses_a_second_tenant_with_the_same_id(
        self, database_url: str, vault: KeyVault
    ) -> None:
        async def scenario(store: TenantStore) -> None:
            await store.create_tenant("acme", "Acme")

            with pytest.raises(TenantExists, match="acme"):
                await store.create_tenant("acme", "Acme again")

        run(database_url, vault, scenario)

    @pytest.mark.parametrize("tenant_id", ["", "Acme", "a b", "a/b", "é", "a" * 65])
    def test_refuses_malformed_tenant_ids(
        self, database_url: str, vault: KeyVault, tenant_id: str
    ) -> None:
        async def scenario(store: TenantStore) -> None:
            with pytest.raises(ValueError, match="1 to 64 characters"):
                await store.create_tenant(tenant_id, "Name")
            assert await store.list_tenants() == []

        run(database_url, vault, scenario)

    def test_saves_a_key_encrypted_and_shows_it_masked(
        self, database_url: str, vault: KeyVault
    ) -> None:
        async def scenario(store: TenantStore) -> None:
            await store.create_tenant("acme", "Acme")

            saved = await store.save_integration(
                "acme", RESTRICTED_KEY, READ_CUSTOMERS, "acct_1Hconnect"
            )

            assert saved.masked_key == "rk_test_…wxyz"
            assert saved.key_kind == "restricted"
            assert not saved.livemode
            assert saved.account == "acct_1Hconnect"
            assert await store.integration("acme") == saved
            assert await store.stripe_key("acme") == RESTRICTED_KEY
            assert not any(
                RESTRICTED_KEY in str(value)
                for row in await raw_rows(store)
                for value in row
            )

        run(database_url, vault, scenario)

    def test_saving_again_rotates_the_key(
        self, database_url: str, vault: KeyVault
    ) -> None:
        async def scenario(store: TenantStore) -> None:
            await store.create_tenant("acme", "Acme")
            await store.save_integration("acme", RESTRICTED_KEY, READ_CUSTOMERS, None)

            rotated = await store.save_integration("acme", SECRET_KEY, BILLING, None)

            assert rotated.masked_key == "sk_live_…abcd"
            assert rotated.key_kind == "secret"
            assert rotated.livemode
            assert rotated.scopes == BILLING
            assert (await store.integration("acme")) == rotated
            assert await store.stripe_key("acme") == SECRET_KEY

        run(database_url, vault, scenario)

    def test_an_integration_needs_an_existing_tenant(
        self, database_url: str, vault: KeyVault
    ) -> None:
        async def scenario(store: TenantStore) -> None:
            with pytest.raises(TenantNotFound, match="ghost"):
                await store.save_integration(
                    "ghost", RESTRICTED_KEY, READ_CUSTOMERS, None
                )

        run(database_url, vault, scenario)

    def test_refuses_a_malformed_key_or_account_and_stores_nothing(
        self, database_url: str, vault: KeyVault
    ) -> None:
        async def scenario(store: TenantStore) -> None:
            await store.create_tenant("acme", "Acme")

            with pytest.raises(ValueError, match="publishable"):
                await store.save_integration(
                    "acme", "pk_test_51Hpublishable", READ_CUSTOMERS, None
                )
            with pytest.raises(ValueError, match="acct_"):
                await store.save_integration(
                    "acme", RESTRICTED_KEY, READ_CUSTOMERS, "cus_123"
                )
            assert await store.integration("acme") is None

        run(database_url, vault, scenario)

    def test_keys_need_a_master_key(self, database_url: str, vault: KeyVault) -> None:
        async def with_vault(store: TenantStore) -> None:
            await store.create_tenant("acme", "Acme")
            await store.save_integration("acme", RESTRICTED_KEY, READ_CUSTOMERS, None)

        async def without_vault(store: TenantStore) -> None:
            with pytest.raises(NoMasterKey, match="GATEWAY_SECRET_KEY"):
                await store.save_integration(
                    "acme", RESTRICTED_KEY, READ_CUSTOMERS, None
                )
            with pytest.raises(NoMasterKey):
                await store.stripe_key("acme")
            assert (await store.integration("acme")) is not None

        run(database_url, vault, with_vault)
        run(database_url, None, without_vault)

    def test_deleting_an_integration_forgets_the_key(
        self, database_url: str, vault: KeyVault
    ) -> None:
        async def scenario(store: TenantStore) -> None:
            await store.create_tenant("acme", "Acme")
            await store.save_integration("acme", RESTRICTED_KEY, READ_CUSTOMERS, None)

            assert await store.delete_integration("acme")

            assert await store.integration("acme") is None
            assert await store.stripe_key("acme") is None
            assert not await store.delete_integration("acme")

        run(database_url, vault, scenario)

    def test_deleting_a_tenant_deletes_its_integration_and_tokens(
        self, database_url: str, vault: KeyVault
    ) -> None:
        async def scenario(store: TenantStore) -> None:
            await store.create_tenant("acme", "Acme")
            await store.create_tenant("beta", "Beta")
            await store.save_integration("acme", RESTRICTED_KEY, READ_CUSTOMERS, None)
            _, acme_token = await store.create_api_token("acme", "ci", READ_CUSTOMERS)
            _, beta_token = await store.create_api_token("beta", "ci", READ_CUSTOMERS)

            assert await store.delete_tenant("acme")

            assert await store.get_tenant("acme") is None
            assert await store.integration("acme") is None
            assert await store.find_api_token(acme_token) is None
            assert await store.find_api_token(beta_token) is not None
            assert len(await raw_rows(store)) == 2
            assert not await store.delete_tenant("acme")

        run(database_url, vault, scenario)

    def test_rotating_the_master_key_reencrypts_every_stored_key(
        self, database_url: str
    ) -> None:
        old, new = new_master_key(), new_master_key()

        async def under_old(store: TenantStore) -> None:
            await store.create_tenant("acme", "Acme")
            await store.create_tenant("beta", "Beta")
            await store.save_integration("acme", RESTRICTED_KEY, READ_CUSTOMERS, None)
            await store.save_integration("beta", SECRET_KEY, BILLING, None)

        async def under_both(store: TenantStore) -> None:
            assert await store.stripe_key("acme") == RESTRICTED_KEY
            assert await store.rotate_master_key() == 2

        async def under_new_only(store: TenantStore) -> None:
            assert await store.stripe_key("acme") == RESTRICTED_KEY
            assert await store.stripe_key("beta") == SECRET_KEY

        async def under_old_only(store: TenantStore) -> None:
            with pytest.raises(UndecryptableKey):
                await store.stripe_key("acme")

        run(database_url, KeyVault([old]), under_old)
        run(database_url, KeyVault([new, old]), under_both)
        run(database_url, KeyVault([new]), under_new_only)
        run(database_url, KeyVault([old]), under_old_only)

    def test_api_tokens_are_found_by_their_plain_text_only(
        self, database_url: str, vault: KeyVault
    ) -> None:
        async def scenario(store: TenantStore) -> None:
            await store.create_tenant("acme", "Acme")

            token, plain = await store.create_api_token("acme", "ci", READ_CUSTOMERS)

            assert plain.startswith("sgw_")
            assert len(plain) >= 40
            assert await store.find_api_token(plain) == token
            assert await store.find_api_token(plain[:-1]) is None
            assert await store.find_api_token("") is None
            assert token.scopes == READ_CUSTOMERS
            assert not any(
                plain in str(value) for row in await raw_rows(store) for value in row
            )

        run(database_url, vault, scenario)

    def test_lists_and_revokes_a_tenants_tokens(
        self, database_url: str, vault: KeyVault
    ) -> None:
        async def scenario(store: TenantStore) -> None:
            await store.create_tenant("acme", "Acme")
            await store.create_tenant("beta", "Beta")
            first, plain = await store.create_api_token("acme", "ci", READ_CUSTOMERS)
            second, _ = await store.create_api_token("acme", "reports", BILLING)

            assert await store.list_api_tokens("acme") == [first, second]
            assert not await store.revoke_api_token("beta", first.id)
            assert await store.revoke_api_token("acme", first.id)

            assert await store.list_api_tokens("acme") == [second]
            assert await store.find_api_token(plain) is None

        run(database_url, vault, scenario)

    def test_tokens_need_an_existing_tenant(
        self, database_url: str, vault: KeyVault
    ) -> None:
        async def scenario(store: TenantStore) -> None:
            with pytest.raises(TenantNotFound):
                await store.create_api_token("ghost", "ci", READ_CUSTOMERS)

        run(database_url, vault, scenario)
