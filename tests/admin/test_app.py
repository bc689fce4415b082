"""Building the admin: a guessable admin token is refused up front."""

import pytest

from gateway.admin import create_admin_app
from gateway.tenants.store import TenantStore
from resolvers.stripe_api import make_client


@pytest.mark.parametrize("admin_token", ["", "short-token"])
def test_refuses_a_short_admin_token(admin_token: str) -> None:
    store = TenantStore("sqlite+aiosqlite:///unused.sqlite3", None)

    with pytest.raises(ValueError, match="at least 16 characters"):
        create_admin_app(store, make_client("sk_test_unused0000"), admin_token)
