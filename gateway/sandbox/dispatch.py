"""One /v1 request from decoded parameters to status and body: routing,
permissions, parameter validation, idempotency, the endpoint itself and
expansion."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from . import expand
from .accounts import ApiKey
from .endpoints import Call, Endpoint, match
from .errors import ParamError, PermissionDenied, StripeError
from .params import validate
from .permissions import endpoint_need, expansion_needs
from .render import Renderer
from .store import StoredResponse


@dataclass
class Outcome:
    status: int
    body: dict[str, Any]
    replayed_from: str | None = None


def handle(
    key: ApiKey,
    method: str,
    path: str,
    params: dict[str, Any],
    idempotency_key: tuple[str, str] | None,
    request_id: str,
) -> Outcome:
    found = match(method, path)
    if found is None:
        raise StripeError(
            404,
            f"Unrecognized request URL ({method}: {path}). Please see "
            "https://stripe.com/docs or we can help at https://support.stripe.com/.",
        )
    endpoint, path_params = found
    # Before anything about the objects themselves, as Stripe does: a missing
    # object is a 403, not a 404, for a key without the permission.
    key.authorize([endpoint_need(endpoint)])
    if method != "POST" or not idempotency_key:
        return _execute(key, endpoint, path_params, params)
    return _idempotent(key, endpoint, path_params, params, idempotency_key, request_id)


def _idempotent(
    key: ApiKey,
    endpoint: Endpoint,
    path_params: dict[str, str],
    params: dict[str, Any],
    scoped: tuple[str, str],
    request_id: str,
) -> Outcome:
    store = key.account.store
    fingerprint = json.dumps([endpoint.path, path_params, params], sort_keys=True)
    stored = store.idempotency.get(scoped)
    if stored is not None:
        if stored.fingerprint != fingerprint:
            raise StripeError(
                400,
                "Keys for idempotent requests can only be used with the same "
                "parameters they were first used with. Try using a key other than "
                f"'{scoped[1]}' if you meant to execute a different request.",
                type="idempotency_error",
            )
        return Outcome(stored.status, stored.body, stored.request_id)
    try:
        outcome = _execute(key, endpoint, path_params, params)
    except (ParamError, PermissionDenied):
        # These happen before execution; Stripe does not keep them.
        raise
    except StripeError as error:
        outcome = Outcome(error.status, error.body())
    store.idempotency[scoped] = StoredResponse(
        fingerprint, outcome.status, outcome.body, request_id
    )
    return outcome


def _execute(
    key: ApiKey,
    endpoint: Endpoint,
    path_params: dict[str, str],
    params: dict[str, Any],
) -> Outcome:
    store = key.account.store
    params = dict(params)
    paths = validate({"expand": ["str"]}, {"expand": params.pop("expand", [])})
    expansions = [path for path in paths["expand"] if path]
    values = validate(endpoint.spec, params, endpoint.required)
    key.authorize(expansion_needs(expand.validate(endpoint.kind, expansions)))
    body = endpoint.handler(Call(store, values, path_params))
    expand.apply(Renderer(store), body, expansions)
    return Outcome(200, body)
