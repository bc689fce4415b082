"""The key vault: newest master key encrypts, older ones still decrypt."""

import pytest

from gateway.tenants.crypto import KeyVault, UndecryptableKey, new_master_key

PLAIN = "rk_test_51Hvaultsecret"


def test_round_trips_without_keeping_plain_text() -> None:
    vault = KeyVault([new_master_key()])

    token = vault.encrypt(PLAIN)

    assert PLAIN not in token
    assert vault.decrypt(token) == PLAIN


def test_older_master_keys_decrypt_and_rotation_moves_to_the_newest() -> None:
    old, new = new_master_key(), new_master_key()
    token = KeyVault([old]).encrypt(PLAIN)

    rotated = KeyVault([new, old]).rotate(token)

    assert KeyVault([new]).decrypt(rotated) == PLAIN
    with pytest.raises(UndecryptableKey):
        KeyVault([new]).decrypt(token)


def test_a_vault_needs_a_master_key() -> None:
    with pytest.raises(ValueError, match="at least one"):
        KeyVault([])


def test_repr_shows_no_key_material() -> None:
    key = new_master_key()

    assert key not in repr(KeyVault([key]))
