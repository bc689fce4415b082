"""The ASGI application: GraphQL at ``/graphql``, GraphiQL, and ``/healthz``."""

from __future__ import annotations

import functools
import json
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from typing import Literal

import stripe
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError, OperationDefinitionNode, parse
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Lifespan, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData

from gateway import __version__
from gateway.admin import create_admin_app
from gateway.auth import AuthenticationFailed, Authenticator
from gateway.config import Settings, master_keys
from gateway.graphiql import graphiql_html, static_app
from gateway.limits import RequestLimits
from gateway.observability import CallObservers, Telemetry
from gateway.responses import error_response
from gateway.tenancy import Authenticate, StripeCredentials, Tenancy
from gateway.tenants.crypto import KeyVault
from gateway.tenants.store import TenantStore
from resolvers.context import Principal, RequestContext
from resolvers.observe import CallObserver, NullObserver
from resolvers.ratelimit import AccountLimits
from resolvers.stripe_api import STRIPE_API_VERSION, StripeAPI, deadline_after
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
    api_key: str | None = field(default=None, repr=False)
    """The client's own key: it names the default tenant's rate limit."""
    limits: AccountLimits = field(default_factory=AccountLimits)
    lock_retries: int = 3
    request_timeout: float = 30.0
    observer: CallObserver = field(default_factory=NullObserver)

    def api_for(self, credentials: StripeCredentials) -> StripeAPI:
        """Stripe access for one request; its deadline starts now."""
        key = credentials.api_key or self.api_key or ""
        return StripeAPI(
            self.client,
            concurrency=self.concurrency,
            api_key=credentials.api_key,
            account=credentials.account,
            limiter=self.limits.limiter(key, credentials.account),
            lock_retries=self.lock_retries,
            deadline=deadline_after(self.request_timeout),
            observer=self.observer,
        )


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

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Strawberry answers a request it cannot read in plain text; clients
        # parse every answer as GraphQL's JSON and look for a code.
        try:
            response = await self.run(Request(scope, receive))
        except HTTPException as exc:
            response = refusal(exc.status_code, exc.reason)
        await response(scope, receive, send)

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        data = await super().parse_http_body(request)
        # Strawberry runs the first of several operations when none is named;
        # GraphQL requires the name, and a guess could run the wrong mutation.
        single = data if isinstance(data, GraphQLRequestData) else None
        if (
            single
            and not single.operation_name
            and operations_in(single.query or "") > 1
        ):
            raise HTTPException(
                400,
                "The document holds several operations: "
                "name the one to run in operationName.",
            )
        return data

    def decode_json(self, data: str | bytes) -> object:
        try:
            decoded = json.loads(data)
        except (ValueError, RecursionError) as exc:
            # Not only malformed JSON: Python also refuses integers of over
            # 4300 digits, and arrays nested past its recursion limit.
            raise HTTPException(400, "The request's JSON is not valid.") from exc
        # The body, or GET's variables: Strawberry reads the fields of an object
        # (and refuses batches, arrays).
        if not isinstance(decoded, dict | list):
            raise HTTPException(400, "Expected a JSON object.")
        return decoded

    async def get_context(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> RequestContext:
        principal: Principal = request.state.principal
        credentials: StripeCredentials = request.state.credentials
        return RequestContext(
            self.upstream.api_for(credentials),
            principal,
            planner=self.upstream.planner,
            call_budget=self.upstream.call_budget,
        )


class AuthenticatedGraphQL:
    """Serves GraphiQL to browsers, unless it is off, and authenticates every
    operation before the GraphQL view sees it."""

    def __init__(
        self,
        view: GatewayGraphQL,
        tenancy: Tenancy,
        authenticate: Authenticate,
        graphiql: bool = True,
    ) -> None:
        self.view = view
        self.tenancy = tenancy
        self.authenticate = authenticate
        self.graphiql = graphiql

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope)
        query = request.query_params.get("query")
        if wants_graphiql(request.method, request.headers, query):
            page = graphiql_html() if self.graphiql else None
            await playground(page)(scope, receive, send)
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


def playground(page: str | None) -> Response:
    """GraphiQL for a browser, or a JSON 404 where it is off (in production)."""
    if page is not None:
        return HTMLResponse(page)
    message = "GraphiQL is not served here; send GraphQL operations with POST."
    return error_response(404, message, {"code": "NOT_FOUND"})


@functools.lru_cache(maxsize=256)
def operations_in(document: str) -> int:
    """How many operations a document defines; 0 if it does not parse (the
    schema then says why). Clients send the same documents again and again."""
    try:
        parsed = parse(document)
    except GraphQLError:
        return 0
    return sum(isinstance(node, OperationDefinitionNode) for node in parsed.definitions)


HTTP_ERROR_CODES = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}


def refusal(status: int, message: str) -> Response:
    """A request Strawberry refused before any operation ran."""
    code = HTTP_ERROR_CODES.get(status, "BAD_REQUEST")
    return error_response(status, message, {"code": code})


def unauthenticated(exc: AuthenticationFailed) -> Response:
    """A 401 with the challenge HTTP asks for."""
    headers = {"WWW-Authenticate": exc.www_authenticate}
    return error_response(401, exc.message, exc.extensions, headers)


def create_app(
    upstream: Upstream,
    tenancy: Tenancy,
    authenticate: Authenticate,
    admin: ASGIApp | None = None,
    lifespan: Lifespan[Starlette] | None = None,
    schema: GatewaySchema | None = None,
    *,
    middleware: Sequence[Middleware] = (),
    graphiql: bool = True,
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
    graphql = AuthenticatedGraphQL(view, tenancy, authenticate, graphiql)
    routes: list[BaseRoute] = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        Route("/healthz", healthz, methods=["GET"]),
    ]
    if graphiql:
        routes.append(Mount("/static", static_app(), name="static"))
    if admin is not None:
        routes.append(Mount("/admin", admin))
    telemetry = telemetry or Telemetry()
    routes.extend(telemetry.routes())
    # The telemetry middleware is outermost, so that its line has the status
    # the client got, including the limits' refusals.
    return Starlette(
        middleware=[telemetry.middleware(), *middleware],
        routes=routes,
        lifespan=lifespan,
    )


def http_middleware(settings: Settings) -> list[Middleware]:
    """CORS for the listed origins only, then the limits on each request."""
    middleware = []
    if settings.cors_origins:
        # Callers authenticate with a bearer token, never a cookie: no credentials.
        cors = Middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["authorization", "content-type"],
        )
        middleware.append(cors)
    limits = Middleware(
        RequestLimits,
        max_body_bytes=settings.gateway_max_body_bytes,
        body_timeout=settings.gateway_body_timeout,
    )
    return [*middleware, limits]


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
        middleware=http_middleware(settings),
        graphiql=not settings.production,
        telemetry=telemetry,
    )
    return app, authenticator.describe()
