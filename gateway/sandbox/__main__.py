"""`python -m gateway.sandbox --port 12111 --seed demo --latency-ms 0`"""

from __future__ import annotations

import argparse

from .server import serve


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m gateway.sandbox",
        description="Run the in-memory Stripe-compatible sandbox.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=12111)
    parser.add_argument("--seed", choices=("demo", "none"), default="demo")
    parser.add_argument("--latency-ms", type=float, default=0.0)
    args = parser.parse_args(argv)
    seed = None if args.seed == "none" else args.seed
    serve(host=args.host, port=args.port, seed=seed, latency_ms=args.latency_ms)


if __name__ == "__main__":
    main()
