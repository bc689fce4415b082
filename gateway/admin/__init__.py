"""The admin: tenants, their Stripe keys and their API tokens, as a JSON API
for automation and as pages for a person."""

from gateway.admin.app import create_admin_app

__all__ = ["create_admin_app"]
