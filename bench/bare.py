"""The floor for the gateway's overhead: one Starlette route, the same SDK call.

``python -m bench.bare --port N --api-base URL``, with ``STRIPE_API_KEY`` in
the environment as the gateway takes it. ``POST /graphql`` reads the request's
JSON body, lists one customer through the stripe SDK and answers in the shape
of the GraphQL response, so that one load script drives both servers.
"""

from __future__ import annotations

import argparse
import os

import stripe
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from resolvers.stripe_api import STRIPE_API_VERSION


def create_app(client: stripe.StripeClient) -> Starlette:
    async def customers(request: Request) -> JSONResponse:
        await request.json()
        page = await client.v1.customers.list_async({"limit": 1})
        nodes = [{"id": customer.id} for customer in page.data]
        return JSONResponse({"data": {"customers": {"nodes": nodes}}})

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"ok": True})

    return Starlette(
        routes=[
            Route("/graphql", customers, methods=["POST"]),
            Route("/healthz", healthz),
        ]
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bare", description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--api-base", required=True, help="the Stripe API to call")
    args = parser.parse_args(argv)
    client = stripe.StripeClient(
        os.environ["STRIPE_API_KEY"],
        stripe_version=STRIPE_API_VERSION,
        base_addresses={"api": args.api_base},
        http_client=stripe.HTTPXClient(),
    )
    app = create_app(client)
    uvicorn.run(app, host="127.0.0.1", port=args.port, access_log=False)


if __name__ == "__main__":
    main()
