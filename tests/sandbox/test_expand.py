"""`expand[]`: depth, bad paths, null references, both array notations."""

from __future__ import annotations

from typing import Any

import httpx


def first(api: httpx.Client, url: str, **params: Any) -> dict[str, Any]:
    data: list[dict[str, Any]] = api.get(url, params=params).json()["data"]
    return data[0]


def test_expand_replaces_ids_with_objects(api: httpx.Client) -> None:
    charge = first(api, "/v1/charges")

    expanded = api.get(
        f"/v1/charges/{charge['id']}",
        params={"expand[]": ["customer", "payment_intent.latest_charge"]},
    ).json()

    assert expanded["customer"]["id"] == charge["customer"]
    assert expanded["payment_intent"]["latest_charge"]["id"] == charge["id"]


def test_indexed_and_empty_bracket_notations_are_equivalent(api: httpx.Client) -> None:
    price = first(api, "/v1/prices")

    indexed = api.get(f"/v1/prices/{price['id']}?expand[0]=product").json()
    bracket = api.get(f"/v1/prices/{price['id']}?expand[]=product").json()

    assert indexed == bracket
    assert indexed["product"]["object"] == "product"


def test_four_levels_are_allowed_on_a_subscription(api: httpx.Client) -> None:
    subscription = first(api, "/v1/subscriptions")

    expanded = api.get(
        f"/v1/subscriptions/{subscription['id']}",
        params={"expand[]": "items.data.price.product"},
    ).json()

    product = expanded["items"]["data"][0]["price"]["product"]
    assert product["object"] == "product"


def test_five_levels_on_a_list_are_too_deep(api: httpx.Client) -> None:
    response = api.get(
        "/v1/subscriptions", params={"expand[]": "data.items.data.price.product"}
    )

    assert response.status_code == 400
    assert response.json()["error"] == {
        "type": "invalid_request_error",
        "code": "property_expansion_max_depth",
        "doc_url": "https://stripe.com/docs/error-codes/property-expansion-max-depth",
        "message": "You cannot expand more than 4 levels of a property. "
        "Property: data.items.data.price.product",
    }


def test_unknown_path_names_the_first_bad_segment(api: httpx.Client) -> None:
    charge = first(api, "/v1/charges")

    response = api.get(
        f"/v1/charges/{charge['id']}", params={"expand[]": "payment_intent.b.c"}
    )
    listed = api.get("/v1/charges", params={"expand[]": "data.amount"})

    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        "This property cannot be expanded (payment_intent.b)."
    )
    assert listed.json()["error"]["message"] == (
        "This property cannot be expanded (data.amount)."
    )


def test_null_references_stay_null(api: httpx.Client) -> None:
    invoice = first(api, "/v1/invoices", status="draft")
    intents = api.get("/v1/payment_intents", params={"limit": 100}).json()["data"]
    unattempted = next(pi for pi in intents if pi["latest_charge"] is None)

    expanded = api.get(
        f"/v1/invoices/{invoice['id']}",
        params={"expand[]": "parent.subscription_details.subscription"},
    ).json()
    intent = api.get(
        f"/v1/payment_intents/{unattempted['id']}",
        params={"expand[]": ["latest_charge", "customer"]},
    ).json()

    assert expanded["parent"] is None
    assert intent["latest_charge"] is None
    assert intent["customer"]["id"] == unattempted["customer"]


def test_invoice_parent_and_line_pricing_expand(api: httpx.Client) -> None:
    subscription = first(api, "/v1/subscriptions", status="active")
    invoice = first(api, "/v1/invoices", subscription=subscription["id"])
    subscription_id = invoice["parent"]["subscription_details"]["subscription"]

    expanded = api.get(
        f"/v1/invoices/{invoice['id']}",
        params={"expand[]": ["parent.subscription_details.subscription", "customer"]},
    ).json()
    lines = api.get(
        f"/v1/invoices/{invoice['id']}/lines",
        params={"expand[]": "data.pricing.price_details.price"},
    ).json()

    assert expanded["parent"]["subscription_details"]["subscription"]["id"] == (
        subscription_id
    )
    assert expanded["customer"]["id"] == invoice["customer"]
    price = lines["data"][0]["pricing"]["price_details"]["price"]
    assert price["object"] == "price"


def test_customer_subscriptions_list_is_included_on_request(api: httpx.Client) -> None:
    subscription = first(api, "/v1/subscriptions")

    customer = api.get(
        f"/v1/customers/{subscription['customer']}",
        params={"expand[]": "subscriptions"},
    ).json()

    assert subscription["id"] in [s["id"] for s in customer["subscriptions"]["data"]]
    assert customer["subscriptions"]["has_more"] is False
