"""The ASGI application: GraphQL at ``/graphql``, GraphiQL, and ``/healthz``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from typing import Literal

import stripe
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Lifespan, Receive, Scope, Send
from strawberry.asgi import GraphQL

from gateway import __version__
from gateway.admin import create_admin_app
from gateway.auth import AuthenticationFailed, Authenticator
from gateway.config import Settings, master_keys
from gateway.graphiql import graphiql_html, static_app
from gateway.observability import CallObservers, Telemetry
from gateway.tenancy import Authenticate, StripeCredentials, Tenancy
from gateway.tenants.crypto import KeyVault
from gateway.tenants.store import TenantStore
from resolvers.context import Principal, RequestContext
from resolvers.observe import CallObserver, NullObserver
from resolvers.stripe_api import STRIPE_API_VERSION, StripeAPI
from schema import GatewaySchema, build_schema
from schema import schema as default_schema

Mode = Literal["sandbox", "stripe"]


@dataclass(frozen=True)
class Upstream:
    """The Stripe the gateway talks to, and how."""

    client: stripe.StripeClient
    http: stripe.HTTPXClient
    mode: Mode
    concurrency: int = 8
    planner: bool = True
    call_budget: int = 50
    account: str | None = None
    has_default_key: bool = True
    observer: CallObserver = field(default_factory=NullObserver)


def wants_graphiql(method: str, headers: Mapping[str, str], query: object) -> bool:
    """Whether a request is a browser opening the playground, not an operation.

    A browser following a link with ?query= expects GraphiQL preloaded with it;
    other clients sending ?query= expect the result.
    """
    accept = headers.get("accept", "")
    if method != "GET" or "application/json" in accept:
        return False
    return "text/html" in accept or ("*/*" in accept and query is None)


class GatewayGraphQL(GraphQL[RequestContext, None]):
    """Strawberry's ASGI view with the gateway's context and offline GraphiQL."""

    def __init__(self, upstream: Upstream, schema: GatewaySchema) -> None:
        # GraphiQL is served before authentication, by AuthenticatedGraphQL.
        super().__init__(schema, graphql_ide=None)
        self.upstream = upstream

    async def get_context(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> RequestContext:
        principal: Principal = request.state.principal
        credentials: StripeCredentials = request.state.credentials
        api = StripeAPI(
            self.upstream.client,
            concurrency=self.upstream.concurrency,
            api_key=credentials.api_key,
            account=credentials.account,
            # TODO: observer=self.upstream.observer, once StripeAPI takes one
        )
        return RequestContext(
            api,
            principal,
            planner=self.upstream.planner,
            call_budget=self.upstream.call_budget,
        )


class AuthenticatedGraphQL:
    """Serves GraphiQL to browsers, and authenticates every operation before
    the GraphQL view sees it."""

    def __init__(
        self, view: GatewayGraphQL, tenancy: Tenancy, authenticate: Authenticate
    ) -> None:
        self.view = view
        self.tenancy = tenancy
        self.authenticate = authenticate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope)
        query = request.query_params.get("query")
        if wants_graphiql(request.method, request.headers, query):
            await HTMLResponse(graphiql_html())(scope, receive, send)
            return
        try:
            principal = await self.authenticate(request.headers)
            credentials = await self.tenancy.credentials(principal)
        except AuthenticationFailed as exc:
            await unauthenticated(exc)(scope, receive, send)
            return
        request.state.principal = principal
        request.state.credentials = credentials
        await self.view(scope, receive, send)


def unauthenticated(exc: AuthenticationFailed) -> JSONResponse:
    """A 401 in GraphQL's response shape, with the challenge HTTP asks for."""
    body = {"errors": [{"message": exc.message, "extensions": exc.extensions}]}
    headers = {"WWW-Authenticate": exc.www_authenticate}
    return JSONResponse(body, status_code=401, headers=headers)


def create_app(
    upstream: Upstream,
    tenancy: Tenancy,
    authenticate: Authenticate,
    admin: ASGIApp | None = None,
    lifespan: Lifespan[Starlette] | None = None,
    schema: GatewaySchema | None = None,
    *,
    telemetry: Telemetry | None = None,
) -> Starlette:
    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "status": "ok",
                "mode": upstream.mode,
                "stripeApiVersion": STRIPE_API_VERSION,
                "version": __version__,
            }
        )

    view = GatewayGraphQL(upstream, schema or default_schema)
    graphql = AuthenticatedGraphQL(view, tenancy, authenticate)
    routes: list[BaseRoute] = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Mount("/static", static_app(), name="static"),
    ]
    if admin is not None:
        routes.append(Mount("/admin", admin))
    telemetry = telemetry or Telemetry()
    routes.extend(telemetry.routes())
    # Outermost, so that its line has the status the client got.
    middleware = [telemetry.middleware()]
    return Starlette(middleware=middleware, routes=routes, lifespan=lifespan)


def build_app(settings: Settings, upstream: Upstream) -> tuple[Starlette, str]:
    """The gateway for ``settings``, and a line saying how callers authenticate.

    Raises ConfigError for settings that only make sense together.
    """
    vault = None
    if settings.gateway_secret_key is not None:
        vault = KeyVault(master_keys(settings.gateway_secret_key))
    store = TenantStore(settings.gateway_database_url, vault)
    authenticator = Authenticator(settings, store)
    tenancy = Tenancy(
        store,
        settings.gateway_default_tenant,
        upstream.account,
        upstream.has_default_key,
    )
    admin = None
    if settings.gateway_admin_token is not None:
        token = settings.gateway_admin_token.get_secret_value()
        admin = create_admin_app(
            store, upstream.client, token, secure_cookies=settings.production
        )

    telemetry = Telemetry.from_settings(settings)
    observers = CallObservers([upstream.observer, *telemetry.observers()])
    upstream = replace(upstream, observer=observers)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with store, telemetry.running():
            yield
        await upstream.http.close_async()

    schema = build_schema(
        extensions=telemetry.schema_extensions(),
        introspection=settings.introspection,
    )
    app = create_app(
        upstream,
        tenancy,
        authenticator.authenticate,
        admin,
        lifespan,
        schema,
        telemetry=telemetry,
    )
    return app, authenticator.describe()
