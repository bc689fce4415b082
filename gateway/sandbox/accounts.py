"""Accounts and the keys that reach them.

Each account has its own store, so one tenant's objects never show through
another's keys. The store the sandbox starts with is the default account; any
test-mode key the sandbox did not issue reaches it with full permissions, so
that clients with a made-up key keep working.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass

from .errors import no_such
from .permissions import Need, Permissions, denied
from .seed import load_seed
from .store import Store

DEFAULT_ACCOUNT_ID = "acct_1SandboxDefault0"
_ALPHABET = string.ascii_letters + string.digits


@dataclass
class Account:
    id: str
    store: Store


@dataclass(frozen=True)
class ApiKey:
    """An accepted key: the account it reaches and, if restricted, what it may do."""

    secret: str
    account: Account
    permissions: Permissions | None = None

    def authorize(self, needs: list[Need]) -> None:
        """Stripe's 403 for the first need the key's permissions lack."""
        if self.permissions is None:
            return
        for need in needs:
            if not self.permissions.allows(need):
                raise denied(self.secret, self.account.id, need)


class Accounts:
    def __init__(self, default: Store) -> None:
        self.default = Account(DEFAULT_ACCOUNT_ID, default)
        self._accounts = {self.default.id: self.default}
        self._keys: dict[str, ApiKey] = {}

    def create(self, seed: str | None) -> tuple[Account, str]:
        """A new account with its own store, and a secret key for it."""
        # A store per account numbers its ids from its own generator; seeding
        # each with its position keeps ids reproducible yet distinct between
        # accounts, so an id from one account is a 404 in another.
        store = Store(seed=len(self._accounts))
        if seed is not None:
            load_seed(store, seed)
        account = Account("acct_1" + _token(15), store)
        self._accounts[account.id] = account
        return account, self._issue("sk_test_", account, None)

    def restrict(self, account_id: str, permissions: Permissions) -> str:
        return self._issue("rk_test_", self.get(account_id), permissions)

    def get(self, account_id: str) -> Account:
        # Named in a request body, so a missing account is a 400, as in Stripe.
        account = self._accounts.get(account_id)
        if account is None:
            raise no_such("account", account_id, "account", 400)
        return account

    def resolve(self, secret: str) -> ApiKey:
        return self._keys.get(secret) or ApiKey(secret, self.default)

    def _issue(
        self, prefix: str, account: Account, permissions: Permissions | None
    ) -> str:
        secret = prefix + _token(24)
        self._keys[secret] = ApiKey(secret, account, permissions)
        return secret


def _token(length: int) -> str:
    # Apart from the stores' seeded generators, so that issuing a key never
    # shifts the ids of the objects created after it.
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))
