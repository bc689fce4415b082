"""Pagination, limits, `created` filters and each list's own filters."""

from __future__ import annotations

from typing import Any

import httpx
import pytest


def page(api: httpx.Client, url: str, **params: Any) -> dict[str, Any]:
    response = api.get(url, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def ids(body: dict[str, Any]) -> list[str]:
    return [obj["id"] for obj in body["data"]]


def error(api: httpx.Client, url: str, **params: Any) -> dict[str, Any]:
    response = api.get(url, params=params)
    assert response.status_code == 400, response.text
    body: dict[str, Any] = response.json()["error"]
    return body


def test_lists_are_newest_first_with_the_stripe_envelope(api: httpx.Client) -> None:
    body = page(api, "/v1/customers", limit=100)

    created = [customer["created"] for customer in body["data"]]
    assert set(body) == {"object", "data", "has_more", "url"}
    assert body["object"] == "list" and body["url"] == "/v1/customers"
    assert created == sorted(created, reverse=True)
    assert len(body["data"]) == 25 and body["has_more"] is False


def test_default_limit_is_ten(api: httpx.Client) -> None:
    body = page(api, "/v1/customers")

    assert len(body["data"]) == 10 and body["has_more"] is True


def test_paging_forward_with_starting_after_visits_everything_once(
    api: httpx.Client,
) -> None:
    everything = ids(page(api, "/v1/customers", limit=100))
    seen: list[str] = []
    params: dict[str, Any] = {"limit": 7}

    while True:
        body = page(api, "/v1/customers", **params)
        seen += ids(body)
        if not body["has_more"]:
            break
        params["starting_after"] = seen[-1]

    assert seen == everything


def test_paging_backward_with_ending_before_returns_the_closest_newer_objects(
    api: httpx.Client,
) -> None:
    everything = ids(page(api, "/v1/customers", limit=100))

    body = page(api, "/v1/customers", limit=5, ending_before=everything[12])
    first = page(api, "/v1/customers", limit=5, ending_before=everything[3])

    assert ids(body) == everything[7:12]
    assert body["has_more"] is True
    assert ids(first) == everything[0:3]
    assert first["has_more"] is False


@pytest.mark.parametrize(
    ("limit", "message"),
    [
        ("0", "This value must be greater than or equal to 1."),
        ("101", "This value must be less than or equal to 100."),
        ("abc", "Invalid integer: abc"),
    ],
)
def test_limit_bounds(api: httpx.Client, limit: str, message: str) -> None:
    found = error(api, "/v1/customers", limit=limit)

    assert found["message"] == message
    assert found["param"] == "limit"


def test_limit_one_and_one_hundred_are_accepted(api: httpx.Client) -> None:
    assert len(page(api, "/v1/prices", limit=1)["data"]) == 1
    assert len(page(api, "/v1/prices", limit=100)["data"]) == 32


def test_both_cursors_at_once_is_an_error(api: httpx.Client) -> None:
    two = ids(page(api, "/v1/customers", limit=2))

    found = error(api, "/v1/customers", starting_after=two[0], ending_before=two[1])

    assert found["code"] == "parameters_exclusive"


@pytest.mark.parametrize("cursor", ["starting_after", "ending_before"])
def test_unknown_cursor_is_resource_missing(api: httpx.Client, cursor: str) -> None:
    found = error(api, "/v1/customers", **{cursor: "cus_doesnotexist"})

    assert found["code"] == "resource_missing"
    assert found["param"] == cursor
    assert found["message"] == "No such customer: 'cus_doesnotexist'"


def test_created_filters(api: httpx.Client) -> None:
    everything = page(api, "/v1/customers", limit=100)["data"]
    pivot = everything[10]["created"]

    exact = page(api, "/v1/customers", created=pivot)
    newer = page(api, "/v1/customers", limit=100, **{"created[gt]": pivot})
    window = page(
        api,
        "/v1/customers",
        limit=100,
        **{"created[gte]": pivot, "created[lte]": everything[5]["created"]},
    )
    older = page(api, "/v1/customers", limit=100, **{"created[lt]": pivot})

    assert ids(exact) == [everything[10]["id"]]
    assert ids(newer) == [c["id"] for c in everything[:10]]
    assert ids(window) == [c["id"] for c in everything[5:11]]
    assert len(older["data"]) == 14


def test_customers_filter_by_email(api: httpx.Client) -> None:
    body = page(api, "/v1/customers", email="grace.hopper@example.com")

    assert [c["name"] for c in body["data"]] == ["Grace Hopper"]


def test_products_filter_by_active_type_and_ids(api: httpx.Client) -> None:
    everything = ids(page(api, "/v1/products"))

    goods = page(api, "/v1/products", type="good")
    chosen = page(api, "/v1/products", **{"ids[]": everything[:2]})
    inactive = page(api, "/v1/products", active="false")
    combined = error(
        api, "/v1/products", starting_after=everything[0], **{"ids[0]": everything[1]}
    )

    assert [p["name"] for p in goods["data"]] == ["Sticker pack"]
    assert ids(chosen) == everything[:2]
    assert inactive["data"] == []
    assert combined["param"] == "ids"


def test_prices_list_only_active_prices_by_default(api: httpx.Client) -> None:
    default = page(api, "/v1/prices", limit=100)["data"]
    retired = page(api, "/v1/prices", active="false")["data"]

    assert all(price["active"] for price in default)
    assert [price["unit_amount"] for price in retired] == [3900]


def test_prices_filters(api: httpx.Client) -> None:
    product = page(api, "/v1/products", type="good")["data"][0]

    by_product = page(api, "/v1/prices", product=product["id"], limit=100)["data"]
    jpy = page(api, "/v1/prices", currency="jpy", limit=100)["data"]
    one_time = page(api, "/v1/prices", type="one_time", limit=100)["data"]
    yearly = page(api, "/v1/prices", limit=100, **{"recurring[interval]": "year"})
    keyed = page(
        api, "/v1/prices", **{"lookup_keys[]": ["pro_month_bhd", "starter_year_usd"]}
    )["data"]

    assert len(by_product) == 4
    assert {price["currency"] for price in jpy} == {"jpy"} and len(jpy) == 8
    assert {price["type"] for price in one_time} == {"one_time"}
    assert len(yearly["data"]) == 8
    assert sorted((p["lookup_key"], p["unit_amount"]) for p in keyed) == [
        ("pro_month_bhd", 18500),
        ("starter_year_usd", 15000),
    ]


def test_payment_charge_and_refund_filters(api: httpx.Client) -> None:
    refund = page(api, "/v1/refunds")["data"][0]
    charge = api.get(f"/v1/charges/{refund['charge']}").json()

    intents = page(api, "/v1/payment_intents", customer=charge["customer"], limit=100)
    by_customer = page(api, "/v1/charges", customer=charge["customer"], limit=100)
    by_intent = page(api, "/v1/charges", payment_intent=charge["payment_intent"])
    by_charge = page(api, "/v1/refunds", charge=charge["id"])
    by_intent_refunds = page(
        api, "/v1/refunds", payment_intent=charge["payment_intent"]
    )

    assert charge["payment_intent"] in ids(intents)
    assert {c["customer"] for c in by_customer["data"]} == {charge["customer"]}
    assert ids(by_intent) == [charge["id"]]
    assert ids(by_charge) == [refund["id"]] == ids(by_intent_refunds)


def test_invoice_filters(api: httpx.Client) -> None:
    subscription = page(api, "/v1/subscriptions", status="past_due")["data"][0]

    by_subscription = page(api, "/v1/invoices", subscription=subscription["id"])
    by_customer = page(api, "/v1/invoices", customer=subscription["customer"])
    voided = page(api, "/v1/invoices", status="void")["data"]
    drafts = page(api, "/v1/invoices", status="draft")["data"]

    assert len(by_subscription["data"]) == 3
    assert ids(by_customer) == ids(by_subscription)
    assert by_subscription["data"][0]["status"] == "open"
    assert len(voided) == 2 and {inv["status"] for inv in voided} == {"void"}
    assert len(drafts) == 1 and drafts[0]["number"] is None


def test_subscription_status_filters(api: httpx.Client) -> None:
    def statuses(**params: Any) -> list[str]:
        data = page(api, "/v1/subscriptions", limit=100, **params)["data"]
        return sorted(sub["status"] for sub in data)

    assert "canceled" not in statuses()
    assert len(statuses()) == 15
    assert len(statuses(status="all")) == 17
    assert statuses(status="ended") == ["canceled", "canceled", "incomplete_expired"]
    assert statuses(status="trialing") == ["trialing", "trialing"]
    assert statuses(status="incomplete") == ["incomplete"]


def test_subscriptions_filter_by_customer_and_price(api: httpx.Client) -> None:
    subscription = page(api, "/v1/subscriptions")["data"][0]
    price = subscription["items"]["data"][0]["price"]["id"]

    by_customer = page(api, "/v1/subscriptions", customer=subscription["customer"])
    by_price = page(api, "/v1/subscriptions", price=price, status="all", limit=100)

    assert subscription["id"] in ids(by_customer)
    for found in by_price["data"]:
        assert price in [item["price"]["id"] for item in found["items"]["data"]]


def test_invoice_payment_filters(api: httpx.Client) -> None:
    invoice = page(api, "/v1/invoices", status="paid")["data"][0]

    by_invoice = page(api, "/v1/invoice_payments", invoice=invoice["id"])["data"]
    intent = by_invoice[0]["payment"]["payment_intent"]
    by_intent = page(
        api, "/v1/invoice_payments", **{"payment[payment_intent]": intent}
    )["data"]
    open_payments = page(api, "/v1/invoice_payments", status="open", limit=100)

    assert len(by_invoice) == 1 and by_invoice[0]["status"] == "paid"
    assert [p["id"] for p in by_intent] == [by_invoice[0]["id"]]
    assert {p["status"] for p in open_payments["data"]} == {"open"}


def test_invoice_lines_and_subscription_items_lists(api: httpx.Client) -> None:
    invoice = page(api, "/v1/invoices", status="draft")["data"][0]
    subscription = page(api, "/v1/subscriptions")["data"][0]

    lines = page(api, f"/v1/invoices/{invoice['id']}/lines", limit=1)
    items = page(api, "/v1/subscription_items", subscription=subscription["id"])

    assert lines["url"] == f"/v1/invoices/{invoice['id']}/lines"
    assert len(lines["data"]) == 1 and lines["has_more"] is True
    assert ids(items) == ids(subscription["items"])
    assert subscription["items"]["url"] == (
        f"/v1/subscription_items?subscription={subscription['id']}"
    )
