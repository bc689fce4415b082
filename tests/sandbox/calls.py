"""Raw calls for the write-flow suites: a POST that must succeed, one that
must fail, and the few objects most flows start from."""

from __future__ import annotations

from typing import Any

import httpx

Body = dict[str, Any]


def ok(http: httpx.Client, url: str, data: dict[str, str] | None = None) -> Body:
    response = http.post(url, data=data or {})
    assert response.status_code == 200, response.text
    body: Body = response.json()
    return body


def refused(
    http: httpx.Client, url: str, data: dict[str, str] | None = None, status: int = 400
) -> Body:
    """The `error` object of a POST answered with `status`."""
    response = http.post(url, data=data or {})
    assert response.status_code == status, response.text
    error: Body = response.json()["error"]
    return error


def customer(http: httpx.Client, method: str | None = "pm_card_visa") -> Body:
    data = {"name": "Flow"}
    if method:
        data["invoice_settings[default_payment_method]"] = method
    return ok(http, "/v1/customers", data)


def monthly_price(http: httpx.Client, amount: int = 2000, name: str = "Plan") -> Body:
    product = ok(http, "/v1/products", {"name": name})
    data = {
        "product": product["id"],
        "currency": "usd",
        "unit_amount": str(amount),
        "recurring[interval]": "month",
    }
    return ok(http, "/v1/prices", data)


def authorized_intent(http: httpx.Client, amount: int = 1000) -> Body:
    data = {
        "amount": str(amount),
        "currency": "usd",
        "payment_method": "pm_card_visa",
        "capture_method": "manual",
        "confirm": "true",
    }
    return ok(http, "/v1/payment_intents", data)
