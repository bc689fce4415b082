"""Stripe-shaped errors.

StripeError carries everything the error envelope needs; the app turns it into
`{"error": {...}}` with the status. ParamError and PermissionDenied mark
failures found before an endpoint runs, which Stripe does not store under an
idempotency key.

    StripeError
    ├── ParamError            400, parameter validation
    ├── PermissionDenied      403, a restricted key lacks a permission
    └── (plain instances)     400/401/402/404 raised by the endpoints
"""

from __future__ import annotations

from typing import Any

DOC_BASE = "https://stripe.com/docs/error-codes/"


class StripeError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.code = code
        self.param = param
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"type": self.type}
        if self.code:
            error["code"] = self.code
            error["doc_url"] = DOC_BASE + self.code.replace("_", "-")
        error["message"] = self.message
        if self.param:
            error["param"] = self.param
        error.update(self.extra)
        return {"error": error}


class ParamError(StripeError):
    def __init__(self, message: str, *, code: str | None = None, param: str) -> None:
        super().__init__(400, message, code=code, param=param)


class PermissionDenied(StripeError):
    def __init__(self, message: str) -> None:
        super().__init__(403, message)


def no_such(
    noun: str, object_id: str, param: str = "id", status: int = 404
) -> StripeError:
    return StripeError(
        status,
        f"No such {noun}: '{object_id}'",
        code="resource_missing",
        param=param,
    )


def unknown_param(name: str) -> ParamError:
    return ParamError(
        f"Received unknown parameter: {name}", code="parameter_unknown", param=name
    )


def missing_param(name: str) -> ParamError:
    return ParamError(
        f"Missing required param: {name}.", code="parameter_missing", param=name
    )


def invalid_state(message: str, code: str, param: str | None = None) -> StripeError:
    return StripeError(400, message, code=code, param=param)
