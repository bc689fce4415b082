"""The ASGI application: GraphQL at ``/graphql``, GraphiQL, and ``/healthz``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import stripe
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from strawberry.asgi import GraphQL
from strawberry.http.base import BaseRequestProtocol

from gateway import __version__
from gateway.access_log import AccessLogMiddleware
from gateway.graphiql import graphiql_html, static_app
from resolvers.context import RequestContext
from resolvers.stripe_api import STRIPE_API_VERSION
from schema import schema

Mode = Literal["sandbox", "stripe"]


@dataclass(frozen=True)
class Upstream:
    """The Stripe the gateway talks to, and how."""

    client: stripe.StripeClient
    mode: Mode
    concurrency: int = 8


class GatewayGraphQL(GraphQL[RequestContext, None]):
    """Strawberry's ASGI view with the gateway's context and offline GraphiQL."""

    def __init__(self, upstream: Upstream) -> None:
        super().__init__(schema, graphql_ide="graphiql")
        self.upstream = upstream

    async def get_context(self, request: Request, response: Response) -> RequestContext:  # type: ignore[override]
        return RequestContext.create(self.upstream.client, self.upstream.concurrency)

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        # A browser following a link with ?query= expects GraphiQL preloaded with
        # it; other clients sending ?query= expect the result.
        accept = request.headers.get("accept", "")
        if request.method != "GET":
            return False
        if "text/html" in accept:
            return True
        return "*/*" in accept and request.query_params.get("query") is None

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(graphiql_html())


def create_app(upstream: Upstream) -> Starlette:
    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "status": "ok",
                "mode": upstream.mode,
                "stripeApiVersion": STRIPE_API_VERSION,
                "version": __version__,
            }
        )

    graphql = GatewayGraphQL(upstream)
    return Starlette(
        middleware=[Middleware(AccessLogMiddleware)],
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Mount("/static", static_app(), name="static"),
        ],
    )
