"""A Stripe-compatible, stateful, in-memory HTTP API for offline demos, tests
and benchmarks. The gateway reaches it through the stripe SDK exactly as it
reaches Stripe; nothing here imports the rest of the project."""

from .app import create_app

__all__ = ["create_app"]
