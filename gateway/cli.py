"""The ``stripe-gateway`` command: ``serve`` the gateway or run the ``sandbox``."""

from __future__ import annotations

import argparse
import logging
import math
import secrets
import signal
import sys
from types import FrameType

import stripe
import uvicorn

from gateway.app import Mode, Upstream, build_app
from gateway.config import ConfigError, Settings, exit_with, load_settings_or_exit
from gateway.limits import head_deadline_protocol
from gateway.observability import configure_logging
from resolvers.ratelimit import AccountLimits
from resolvers.stripe_api import make_client

logger = logging.getLogger(__name__)

TENANT_KEYS_ONLY = "sk_live_unused_every_call_names_its_tenants_key"

SANDBOX_BANNER = """\
No STRIPE_API_KEY is set: serving the embedded Stripe sandbox with demo data.
Nothing here touches a real Stripe account. Set STRIPE_API_KEY to use Stripe."""


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    args.run(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="stripe-gateway", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="command")

    serve = commands.add_parser("serve", help="serve the GraphQL gateway")
    serve.add_argument("--host", help="interface to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=port, help="port to listen on (default 8000)")
    serve.set_defaults(run=_serve)

    sandbox = commands.add_parser("sandbox", help="run the embedded Stripe sandbox")
    sandbox.add_argument("--port", type=port, default=12111)
    sandbox.add_argument("--seed", choices=["demo", "none"], default="demo")
    sandbox.add_argument("--latency-ms", type=float, default=0.0)
    sandbox.set_defaults(run=_sandbox)
    return parser


def port(text: str) -> int:
    """A TCP port number, for argparse."""
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port from 1 to 65535")
    return int(text)


def _serve(args: argparse.Namespace) -> None:
    overrides = {"gateway_host": args.host, "gateway_port": args.port}
    settings = load_settings_or_exit(
        **{key: value for key, value in overrides.items() if value is not None}
    )
    upstream = _upstream(settings)
    # After the embedded sandbox, whose uvicorn configures uvicorn's loggers.
    configure_logging(settings)
    try:
        app, access = build_app(settings, upstream)
    except ConfigError as exc:
        exit_with(exc)
    print(f"Access: {access}", file=sys.stderr, flush=True)
    url = f"http://{settings.gateway_host}:{settings.gateway_port}/graphql"
    print(f"{'GraphQL' if settings.production else 'GraphiQL'}: {url}", flush=True)
    signal.signal(signal.SIGTERM, _stopped)
    uvicorn.run(
        app,
        host=settings.gateway_host,
        port=settings.gateway_port,
        access_log=False,
        http=head_deadline_protocol(settings.gateway_body_timeout),
        # On SIGTERM uvicorn stops accepting, then lets requests in flight
        # finish for this long (whole seconds) before cancelling them.
        timeout_graceful_shutdown=math.ceil(settings.gateway_shutdown_timeout),
        # Logging is configured already: uvicorn's lines go through it.
        log_config=None,
    )


def _stopped(signum: int, frame: FrameType | None) -> None:
    """Exit 0 once uvicorn has shut down gracefully on SIGTERM.

    uvicorn raises the signal again after its shutdown, and the default
    action would report the process as killed by it.
    """
    raise SystemExit(0)


def _upstream(settings: Settings) -> Upstream:
    if settings.stripe_api_key is None and not settings.production:
        return _sandbox_upstream(settings)
    key = settings.stripe_api_key
    base = settings.stripe_api_base
    return _upstream_at(
        settings,
        "stripe",
        # In production without a key of its own, every call carries a tenant's.
        key.get_secret_value() if key else TENANT_KEYS_ONLY,
        str(base).rstrip("/") if base else None,
        account=settings.stripe_account,
        has_default_key=key is not None,
    )


def _sandbox_upstream(settings: Settings) -> Upstream:
    from gateway.sandbox.server import start_in_thread

    sandbox = start_in_thread(seed="demo")
    print(SANDBOX_BANNER, file=sys.stderr, flush=True)
    # The sandbox accepts any test key; a fresh one keeps real keys out of sight.
    key = f"sk_test_sandbox{secrets.token_hex(8)}"
    return _upstream_at(settings, "sandbox", key, sandbox.url)


def _upstream_at(
    settings: Settings,
    mode: Mode,
    key: str,
    api_base: str | None,
    account: str | None = None,
    has_default_key: bool = True,
) -> Upstream:
    http = stripe.HTTPXClient(timeout=settings.stripe_timeout)
    client = make_client(
        key,
        api_base=api_base,
        max_network_retries=settings.stripe_max_network_retries,
        http_client=http,
    )
    limits = AccountLimits(
        settings.stripe_rate_limit_live, settings.stripe_rate_limit_test
    )
    return Upstream(
        client,
        http,
        mode,
        settings.stripe_concurrency,
        planner=settings.gateway_planner,
        call_budget=settings.gateway_max_stripe_calls,
        account=account,
        has_default_key=has_default_key,
        api_key=key if has_default_key else None,
        limits=limits,
        lock_retries=settings.stripe_lock_retries,
        request_timeout=settings.gateway_request_timeout,
    )


def _sandbox(args: argparse.Namespace) -> None:
    from gateway.sandbox.server import serve

    seed = None if args.seed == "none" else args.seed
    serve(port=args.port, seed=seed, latency_ms=args.latency_ms)


if __name__ == "__main__":
    main()
