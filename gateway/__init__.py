"""A GraphQL gateway over the Stripe API."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("stripe-graphql-gateway")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"
