"""One /v1 request from decoded parameters to status and body: routing,
parameter validation, idempotency, the endpoint itself and expansion."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from . import expand
from .endpoints import Call, Endpoint, match
from .errors import ParamError, StripeError
from .params import validate
from .render import Renderer
from .store import Store, StoredResponse


@dataclass
class Outcome:
    status: int
    body: dict[str, Any]
    replayed_from: str | None = None


def handle(
    store: Store,
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
    if method != "POST" or not idempotency_key:
        return _execute(store, endpoint, path_params, params)
    return _idempotent(
        store, endpoint, path_params, params, idempotency_key, request_id
    )


def _idempotent(
    store: Store,
    endpoint: Endpoint,
    path_params: dict[str, str],
    params: dict[str, Any],
    key: tuple[str, str],
    request_id: str,
) -> Outcome:
    fingerprint = json.dumps([endpoint.path, path_params, params], sort_keys=True)
    stored = store.idempotency.get(key)
    if stored is not None:
        if stored.fingerprint != fingerprint:
            raise StripeError(
                400,
                "Keys for idempotent requests can only be used with the same "
                "parameters they were first used with. Try using a key other than "
                f"'{key[1]}' if you meant to execute a different request.",
                type="idempotency_error",
            )
        return Outcome(stored.status, stored.body, stored.request_id)
    try:
        outcome = _execute(store, endpoint, path_params, params)
    except ParamError:
        # Validation failures happen before execution; Stripe does not keep them.
        raise
    except StripeError as error:
        outcome = Outcome(error.status, error.body())
    store.idempotency[key] = StoredResponse(
        fingerprint, outcome.status, outcome.body, request_id
    )
    return outcome


def _execute(
    store: Store,
    endpoint: Endpoint,
    path_params: dict[str, str],
    params: dict[str, Any],
) -> Outcome:
    params = dict(params)
    paths = validate({"expand": ["str"]}, {"expand": params.pop("expand", [])})
    expansions = [path for path in paths["expand"] if path]
    values = validate(endpoint.spec, params, endpoint.required)
    expand.validate(endpoint.kind, expansions)
    body = endpoint.handler(Call(store, values, path_params))
    expand.apply(Renderer(store), body, expansions)
    return Outcome(200, body)
