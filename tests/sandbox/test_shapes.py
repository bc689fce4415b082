"""Every seeded object, listed or retrieved, expanded or not, has exactly the
fields the stripe SDK's typed classes declare."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest
import stripe

from tests.sandbox.stripe_shapes import RESOURCES, check

# kind -> (list URL, extra filters, the expansions worth checking on that list)
LISTS: dict[str, tuple[str, dict[str, str], list[str]]] = {
    "customer": (
        "/v1/customers",
        {},
        ["data.subscriptions", "data.sources", "data.tax_ids"],
    ),
    "product": ("/v1/products", {}, ["data.default_price"]),
    "price": ("/v1/prices", {}, ["data.product"]),
    "payment_intent": (
        "/v1/payment_intents",
        {},
        ["data.customer", "data.latest_charge"],
    ),
    "charge": (
        "/v1/charges",
        {},
        ["data.refunds", "data.customer", "data.payment_intent"],
    ),
    "refund": (
        "/v1/refunds",
        {},
        ["data.charge", "data.payment_intent", "data.customer"],
    ),
    "invoice": (
        "/v1/invoices",
        {},
        [
            "data.payments",
            "data.confirmation_secret",
            "data.customer",
            "data.parent.subscription_details.subscription",
        ],
    ),
    "invoiceitem": (
        "/v1/invoiceitems",
        {},
        ["data.invoice", "data.customer", "data.pricing.price_details.price"],
    ),
    "invoice_payment": (
        "/v1/invoice_payments",
        {},
        ["data.invoice", "data.payment.payment_intent"],
    ),
    "subscription": (
        "/v1/subscriptions",
        {"status": "all"},
        ["data.customer", "data.latest_invoice", "data.items.data.price"],
    ),
}


def fetch_all(api: httpx.Client, url: str, params: dict[str, Any]) -> list[Any]:
    response = api.get(url, params={**params, "limit": 100})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["has_more"] is False, "the demo seed fits one page of 100"
    data: list[Any] = body["data"]
    return data


def assert_conforms(objects: list[Any], kind: str) -> None:
    errors = [error for obj in objects for error in check(obj, RESOURCES[kind])]
    assert not errors, "\n".join(errors[:30])


@pytest.mark.parametrize("kind", sorted(LISTS))
def test_listed_objects_match_the_sdk_classes(api: httpx.Client, kind: str) -> None:
    url, filters, expansions = LISTS[kind]

    plain = fetch_all(api, url, filters)
    expanded = fetch_all(api, url, {**filters, "expand[]": expansions})

    assert plain, f"the demo seed has {kind} objects"
    assert_conforms(plain, kind)
    assert_conforms(expanded, kind)


@pytest.mark.parametrize("kind", sorted(LISTS))
def test_retrieved_objects_match_the_sdk_classes(api: httpx.Client, kind: str) -> None:
    url, filters, expansions = LISTS[kind]
    listed = fetch_all(api, url, filters)[:3]
    paths = [path.removeprefix("data.") for path in expansions]

    for obj in listed:
        plain = api.get(f"{url}/{obj['id']}").json()
        expanded = api.get(f"{url}/{obj['id']}", params={"expand[]": paths}).json()

        assert plain == obj
        assert_conforms([plain, expanded], kind)


def test_invoice_lines_and_subscription_items_match(api: httpx.Client) -> None:
    invoice = fetch_all(api, "/v1/invoices", {"status": "paid"})[0]
    subscription = fetch_all(api, "/v1/subscriptions", {})[0]

    lines = fetch_all(
        api,
        f"/v1/invoices/{invoice['id']}/lines",
        {"expand[]": ["data.pricing.price_details.price", "data.subscription"]},
    )
    items = fetch_all(
        api,
        "/v1/subscription_items",
        {"subscription": subscription["id"], "expand[]": ["data.price.product"]},
    )

    assert lines and items
    assert_conforms(lines, "line_item")
    assert_conforms(items, "subscription_item")


def test_includable_fields_appear_only_when_expanded(api: httpx.Client) -> None:
    customer = fetch_all(api, "/v1/customers", {})[0]
    charge = fetch_all(api, "/v1/charges", {})[0]
    invoice = fetch_all(api, "/v1/invoices", {"status": "paid"})[0]

    expanded_customer = api.get(
        f"/v1/customers/{customer['id']}", params={"expand[]": "subscriptions"}
    ).json()
    expanded_charge = api.get(
        f"/v1/charges/{charge['id']}", params={"expand[]": "refunds"}
    ).json()
    expanded_invoice = api.get(
        f"/v1/invoices/{invoice['id']}", params={"expand[]": "payments"}
    ).json()

    assert "subscriptions" not in customer
    assert "refunds" not in charge
    assert "payments" not in invoice
    assert expanded_customer["subscriptions"]["url"] == (
        f"/v1/customers/{customer['id']}/subscriptions"
    )
    assert expanded_charge["refunds"]["url"] == f"/v1/charges/{charge['id']}/refunds"
    assert expanded_invoice["payments"]["data"][0]["invoice"] == invoice["id"]


def test_the_checker_rejects_unknown_missing_and_null_fields(api: httpx.Client) -> None:
    customer = fetch_all(api, "/v1/customers", {})[0]
    broken = copy.deepcopy(customer)
    broken["surprise"] = 1
    del broken["email"]
    broken["created"] = None

    errors = check(broken, stripe.Customer)

    assert any("surprise: not a field" in error for error in errors)
    assert any("email: missing" in error for error in errors)
    assert any("created: null but not Optional" in error for error in errors)
