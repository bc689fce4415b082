"""Billing writes through the graph: invoices from draft to paid or void,
subscriptions from created to canceled, wrong states and checked input."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from gateway.sandbox.server import SandboxThread, start_in_thread
from gateway.sandbox.store import Store
from tests.conftest import SANDBOX_KEY
from tests.sandbox_server import SandboxProcess, start_sandbox
from tests.servers import GraphQL, graphql_client, start_gateway

INVOICE = "invoice { id status number collectionMethod description metadata }"
INVOICE_WRITE = """
mutation ($input: %(input)s!) {
  %(name)s(input: $input) { %(invoice)s userErrors { field code message } }
}
"""


def invoice_mutation(name: str, input: str, extra: str = "") -> str:
    selection = f"{INVOICE} {extra}"
    return INVOICE_WRITE % {"name": name, "input": input, "invoice": selection}


INVOICE_CREATE = invoice_mutation("invoiceCreate", "InvoiceCreateInput")
INVOICE_ADD_ITEM = invoice_mutation(
    "invoiceAddItem", "InvoiceAddItemInput", "invoiceItemId"
)
INVOICE_REMOVE_ITEM = invoice_mutation(
    "invoiceRemoveItem", "InvoiceRemoveItemInput", "invoiceItemId"
)
INVOICE_UPDATE = invoice_mutation("invoiceUpdate", "InvoiceUpdateInput")
INVOICE_FINALIZE = invoice_mutation("invoiceFinalize", "InvoiceIdInput")
INVOICE_PAY = invoice_mutation("invoicePay", "InvoicePayInput")
INVOICE_SEND = invoice_mutation("invoiceSend", "InvoiceIdInput")
INVOICE_VOID = invoice_mutation("invoiceVoid", "InvoiceIdInput")
INVOICE_MARK_UNCOLLECTIBLE = invoice_mutation(
    "invoiceMarkUncollectible", "InvoiceIdInput"
)
INVOICE_DELETE = """
mutation ($input: InvoiceIdInput!) {
  invoiceDelete(input: $input) { deletedId userErrors { field code message } }
}
"""

INVOICE_QUERY = """
query ($id: ID!) {
  invoice(id: $id) {
    status number collectionMethod description metadata dueDate
    total { amount currency } amountPaid { amount } amountRemaining { amount }
    lines { nodes { description quantity amount { amount } price { id } } }
  }
}
"""

SUBSCRIPTION = """
subscription {
  id status cancelAtPeriodEnd cancelAt canceledAt collectionMethod metadata
  items { nodes { id quantity price { id } } }
  latestInvoice { status }
}
"""
SUBSCRIPTION_WRITE = """
mutation ($input: %(input)s!) {
  %(name)s(input: $input) { %(subscription)s userErrors { field code message } }
}
"""


def subscription_mutation(name: str, input: str) -> str:
    return SUBSCRIPTION_WRITE % {
        "name": name,
        "input": input,
        "subscription": SUBSCRIPTION,
    }


SUBSCRIPTION_CREATE = subscription_mutation(
    "subscriptionCreate", "SubscriptionCreateInput"
)
SUBSCRIPTION_UPDATE = subscription_mutation(
    "subscriptionUpdate", "SubscriptionUpdateInput"
)
SUBSCRIPTION_CANCEL = subscription_mutation(
    "subscriptionCancel", "SubscriptionCancelInput"
)
SUBSCRIPTION_RESUME = subscription_mutation(
    "subscriptionResume", "SubscriptionResumeInput"
)
SUBSCRIPTION_QUERY = """
query ($id: ID!) {
  subscription(id: $id) {
    status cancelAtPeriodEnd cancelAt canceledAt metadata
    items { nodes { id quantity price { id } } }
  }
}
"""


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxProcess]:
    """A blank sandbox of this module's own: the session's demo sandbox stays as
    the read suites expect it, without dozens of billing customers on top."""
    server = start_sandbox(seed=None)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def gateway_url(sandbox: SandboxProcess) -> Iterator[str]:
    env = {"STRIPE_API_KEY": SANDBOX_KEY, "STRIPE_API_BASE": sandbox.url}
    gateway = start_gateway(env)
    yield gateway.url
    gateway.stop()


def writes(sandbox: SandboxProcess) -> list[str]:
    return [r["path"] for r in sandbox.requests() if r["method"] != "GET"]


def payload(body: dict[str, Any], name: str) -> dict[str, Any]:
    assert "errors" not in body, body.get("errors")
    result: dict[str, Any] = body["data"][name]
    assert result["userErrors"] == [], result["userErrors"]
    return result


def user_errors(body: dict[str, Any]) -> list[dict[str, Any]]:
    assert "errors" not in body, body.get("errors")
    [result] = body["data"].values()
    errors: list[dict[str, Any]] = result["userErrors"]
    return errors


def stripe_post(url: str, path: str, data: dict[str, str]) -> dict[str, Any]:
    response = httpx.post(f"{url}{path}", data=data, auth=(SANDBOX_KEY, ""))
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


def new_customer(url: str, method: str | None = "pm_card_visa") -> str:
    data = {"name": "Billing"}
    if method:
        data["invoice_settings[default_payment_method]"] = method
    return str(stripe_post(url, "/v1/customers", data)["id"])


def new_price(url: str, amount: int, recurring: bool) -> str:
    product = stripe_post(url, "/v1/products", {"name": "Billed"})
    data = {"product": product["id"], "currency": "usd", "unit_amount": str(amount)}
    if recurring:
        data["recurring[interval]"] = "month"
    return str(stripe_post(url, "/v1/prices", data)["id"])


@pytest.fixture
def customer(sandbox: SandboxProcess) -> str:
    return new_customer(sandbox.url)


@pytest.fixture(scope="module")
def one_time_price(sandbox: SandboxProcess) -> str:
    return new_price(sandbox.url, 700, recurring=False)


@pytest.fixture(scope="module")
def monthly_price(sandbox: SandboxProcess) -> str:
    return new_price(sandbox.url, 2000, recurring=True)


@pytest.fixture(scope="module")
def yearly_price(sandbox: SandboxProcess) -> str:
    return new_price(sandbox.url, 20000, recurring=True)


def draft(graphql: GraphQL, customer: str, **fields: Any) -> str:
    created = graphql(INVOICE_CREATE, input={"customer": customer, **fields})
    return str(payload(created, "invoiceCreate")["invoice"]["id"])


def add_amount(graphql: GraphQL, invoice: str, decimal: str) -> dict[str, Any]:
    money = {"decimal": decimal, "currency": "usd"}
    body = graphql(INVOICE_ADD_ITEM, input={"invoice": invoice, "amount": money})
    return payload(body, "invoiceAddItem")


def open_invoice(graphql: GraphQL, customer: str, decimal: str = "10.00") -> str:
    invoice = draft(graphql, customer)
    add_amount(graphql, invoice, decimal)
    payload(graphql(INVOICE_FINALIZE, input={"id": invoice}), "invoiceFinalize")
    return invoice


def subscribe(graphql: GraphQL, customer: str, price: str, **fields: Any) -> Any:
    items = [{"price": price, "quantity": 1}]
    body = graphql(
        SUBSCRIPTION_CREATE, input={"customer": customer, "items": items, **fields}
    )
    return payload(body, "subscriptionCreate")["subscription"]


def test_a_draft_is_itemised_finalized_and_paid(
    graphql: GraphQL, customer: str, one_time_price: str
) -> None:
    created = payload(
        graphql(
            INVOICE_CREATE,
            input={
                "customer": customer,
                "description": "Spring order",
                "metadata": {"order": "42"},
            },
        ),
        "invoiceCreate",
    )["invoice"]
    invoice = created["id"]
    add_amount(graphql, invoice, "12.50")
    by_price = payload(
        graphql(
            INVOICE_ADD_ITEM,
            input={"invoice": invoice, "price": one_time_price, "quantity": 2},
        ),
        "invoiceAddItem",
    )
    finalized = payload(
        graphql(INVOICE_FINALIZE, input={"id": invoice}), "invoiceFinalize"
    )["invoice"]
    paid = payload(graphql(INVOICE_PAY, input={"id": invoice}), "invoicePay")
    shown = graphql(INVOICE_QUERY, id=invoice)["data"]["invoice"]

    assert created["status"] == "DRAFT" and created["number"] is None
    assert created["metadata"] == {"order": "42"}
    assert by_price["invoiceItemId"].startswith("ii_")
    assert finalized["status"] == "OPEN" and finalized["number"]
    assert paid["invoice"]["status"] == "PAID"
    assert shown["status"] == "PAID"
    assert shown["description"] == "Spring order"
    assert shown["total"] == {"amount": 2650, "currency": "usd"}
    assert shown["amountPaid"] == {"amount": 2650}
    assert sorted(
        (line["amount"]["amount"], line["quantity"], line["price"])
        for line in shown["lines"]["nodes"]
    ) == [(1250, 1, None), (1400, 2, {"id": one_time_price})]


def test_an_item_is_removed_from_a_draft(graphql: GraphQL, customer: str) -> None:
    invoice = draft(graphql, customer)
    add_amount(graphql, invoice, "3.00")
    added = add_amount(graphql, invoice, "4.00")

    removed = payload(
        graphql(INVOICE_REMOVE_ITEM, input={"id": added["invoiceItemId"]}),
        "invoiceRemoveItem",
    )
    shown = graphql(INVOICE_QUERY, id=invoice)["data"]["invoice"]

    assert removed["invoiceItemId"] == added["invoiceItemId"]
    assert removed["invoice"]["id"] == invoice
    assert shown["total"]["amount"] == 300
    assert [line["amount"]["amount"] for line in shown["lines"]["nodes"]] == [300]


def test_an_emailed_invoice_is_updated_sent_and_written_off(
    graphql: GraphQL, sandbox: SandboxProcess, customer: str
) -> None:
    invoice = draft(graphql, customer)
    add_amount(graphql, invoice, "20.00")
    updated = payload(
        graphql(
            INVOICE_UPDATE,
            input={
                "id": invoice,
                "description": "Net 14",
                "metadata": {"po": "A-7"},
                "collectionMethod": "SEND_INVOICE",
                "daysUntilDue": 14,
            },
        ),
        "invoiceUpdate",
    )["invoice"]
    payload(graphql(INVOICE_FINALIZE, input={"id": invoice}), "invoiceFinalize")
    sandbox.reset_requests()
    sent = payload(graphql(INVOICE_SEND, input={"id": invoice}), "invoiceSend")
    sent_calls = writes(sandbox)
    uncollectible = payload(
        graphql(INVOICE_MARK_UNCOLLECTIBLE, input={"id": invoice}),
        "invoiceMarkUncollectible",
    )
    voided = payload(graphql(INVOICE_VOID, input={"id": invoice}), "invoiceVoid")
    shown = graphql(INVOICE_QUERY, id=invoice)["data"]["invoice"]

    assert updated["collectionMethod"] == "SEND_INVOICE"
    assert updated["description"] == "Net 14"
    assert sent["invoice"]["status"] == "OPEN"
    assert sent_calls == [f"/v1/invoices/{invoice}/send"]
    assert uncollectible["invoice"]["status"] == "UNCOLLECTIBLE"
    assert voided["invoice"]["status"] == "VOID"
    assert shown["status"] == "VOID"
    assert shown["metadata"] == {"po": "A-7"}
    assert shown["dueDate"] is not None


def test_an_invoice_paid_outside_stripe_is_recorded_paid(
    graphql: GraphQL, sandbox: SandboxProcess
) -> None:
    without_card = new_customer(sandbox.url, method=None)
    invoice = open_invoice(graphql, without_card, "8.00")

    paid = payload(
        graphql(INVOICE_PAY, input={"id": invoice, "paidOutOfBand": True}),
        "invoicePay",
    )
    shown = graphql(INVOICE_QUERY, id=invoice)["data"]["invoice"]

    assert paid["invoice"]["status"] == "PAID"
    assert shown["amountPaid"] == {"amount": 800}
    assert shown["amountRemaining"] == {"amount": 0}


def test_a_declined_payment_leaves_the_invoice_open(
    graphql: GraphQL, customer: str
) -> None:
    invoice = open_invoice(graphql, customer)

    body = graphql(
        INVOICE_PAY,
        input={"id": invoice, "paymentMethod": "pm_card_visa_chargeDeclined"},
    )
    shown = graphql(INVOICE_QUERY, id=invoice)["data"]["invoice"]

    assert [e["code"] for e in user_errors(body)] == ["CARD_DECLINED"]
    assert shown["status"] == "OPEN"


def test_a_draft_is_deleted(graphql: GraphQL, customer: str) -> None:
    invoice = draft(graphql, customer)

    deleted = graphql(INVOICE_DELETE, input={"id": invoice})
    gone = graphql(INVOICE_QUERY, id=invoice)

    assert deleted["data"]["invoiceDelete"] == {"deletedId": invoice, "userErrors": []}
    assert gone["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def finalized(graphql: GraphQL, customer: str) -> dict[str, str]:
    return {"id": open_invoice(graphql, customer)}


def paid(graphql: GraphQL, customer: str) -> dict[str, str]:
    invoice = open_invoice(graphql, customer)
    payload(graphql(INVOICE_PAY, input={"id": invoice}), "invoicePay")
    return {"id": invoice}


def drafted(graphql: GraphQL, customer: str) -> dict[str, str]:
    return {"id": draft(graphql, customer)}


def finalized_for_item(graphql: GraphQL, customer: str) -> dict[str, Any]:
    money = {"decimal": "1.00", "currency": "usd"}
    return {"invoice": open_invoice(graphql, customer), "amount": money}


def item_of_finalized(graphql: GraphQL, customer: str) -> dict[str, str]:
    invoice = draft(graphql, customer)
    item = add_amount(graphql, invoice, "2.00")["invoiceItemId"]
    payload(graphql(INVOICE_FINALIZE, input={"id": invoice}), "invoiceFinalize")
    return {"id": item}


@pytest.mark.parametrize(
    ("document", "make_input"),
    [
        (INVOICE_FINALIZE, finalized),
        (INVOICE_VOID, paid),
        (INVOICE_DELETE, finalized),
        (INVOICE_SEND, drafted),
        (INVOICE_MARK_UNCOLLECTIBLE, paid),
        (INVOICE_ADD_ITEM, finalized_for_item),
        (INVOICE_REMOVE_ITEM, item_of_finalized),
        (INVOICE_UPDATE, lambda g, c: {**finalized(g, c), "daysUntilDue": 3}),
    ],
    ids=[
        "finalize-finalized",
        "void-paid",
        "delete-finalized",
        "send-draft",
        "uncollectible-paid",
        "add-item-to-finalized",
        "remove-item-from-finalized",
        "update-finalized-terms",
    ],
)
def test_an_invoice_in_the_wrong_state_is_a_user_error(
    graphql: GraphQL, customer: str, document: str, make_input: Any
) -> None:
    input = make_input(graphql, customer)

    body = graphql(document, input=input)

    assert [e["code"] for e in user_errors(body)] == ["INVALID_STATE"]


def test_a_subscription_is_created_changed_and_canceled(
    graphql: GraphQL, customer: str, monthly_price: str
) -> None:
    created = subscribe(graphql, customer, monthly_price, metadata={"plan": "team"})
    sub = created["id"]
    [item] = created["items"]["nodes"]
    grown = payload(
        graphql(
            SUBSCRIPTION_UPDATE,
            input={
                "id": sub,
                "items": [{"id": item["id"], "quantity": 3}],
                "prorationBehavior": "NONE",
            },
        ),
        "subscriptionUpdate",
    )["subscription"]
    grown_shown = graphql(SUBSCRIPTION_QUERY, id=sub)["data"]["subscription"]
    ending = payload(
        graphql(SUBSCRIPTION_UPDATE, input={"id": sub, "cancelAtPeriodEnd": True}),
        "subscriptionUpdate",
    )["subscription"]
    ending_shown = graphql(SUBSCRIPTION_QUERY, id=sub)["data"]["subscription"]
    canceled = payload(
        graphql(SUBSCRIPTION_CANCEL, input={"id": sub, "prorate": False}),
        "subscriptionCancel",
    )["subscription"]
    ended = graphql(SUBSCRIPTION_QUERY, id=sub)["data"]["subscription"]

    assert created["status"] == "ACTIVE"
    assert created["latestInvoice"] == {"status": "PAID"}
    assert created["metadata"] == {"plan": "team"}
    assert grown["items"]["nodes"][0]["quantity"] == 3
    assert grown_shown["items"]["nodes"] == [
        {"id": item["id"], "quantity": 3, "price": {"id": monthly_price}}
    ]
    assert ending["status"] == "ACTIVE"
    assert ending_shown["cancelAtPeriodEnd"] is True
    assert ending_shown["cancelAt"] is not None
    assert canceled["status"] == "CANCELED"
    assert ended["status"] == "CANCELED" and ended["canceledAt"] is not None


def test_items_are_added_and_deleted(
    graphql: GraphQL, customer: str, monthly_price: str, yearly_price: str
) -> None:
    created = subscribe(graphql, customer, monthly_price)
    [item] = created["items"]["nodes"]

    swapped = graphql(
        SUBSCRIPTION_UPDATE,
        input={
            "id": created["id"],
            "items": [
                {"price": yearly_price, "quantity": 2},
                {"id": item["id"], "deleted": True},
            ],
            "prorationBehavior": "CREATE_PRORATIONS",
        },
    )
    shown = graphql(SUBSCRIPTION_QUERY, id=created["id"])["data"]["subscription"]

    assert payload(swapped, "subscriptionUpdate")["subscription"]["status"] == "ACTIVE"
    assert [(i["price"]["id"], i["quantity"]) for i in shown["items"]["nodes"]] == [
        (yearly_price, 2)
    ]


def test_a_subscription_canceled_now_can_invoice_at_once(
    graphql: GraphQL, customer: str, monthly_price: str
) -> None:
    created = subscribe(graphql, customer, monthly_price)

    body = graphql(
        SUBSCRIPTION_CANCEL,
        input={"id": created["id"], "invoiceNow": True, "prorate": True},
    )

    canceled = payload(body, "subscriptionCancel")["subscription"]
    assert canceled["status"] == "CANCELED"
    assert canceled["canceledAt"] is not None


def test_emailed_subscriptions_take_days_until_due(
    graphql: GraphQL, customer: str, monthly_price: str
) -> None:
    created = subscribe(
        graphql,
        customer,
        monthly_price,
        collectionMethod="SEND_INVOICE",
        daysUntilDue=30,
    )

    assert created["collectionMethod"] == "SEND_INVOICE"
    assert created["status"] == "ACTIVE"


def test_a_decline_with_error_if_incomplete_creates_nothing(
    graphql: GraphQL, sandbox: SandboxProcess, monthly_price: str
) -> None:
    declining = new_customer(sandbox.url, method="pm_card_chargeDeclined")

    body = graphql(
        SUBSCRIPTION_CREATE,
        input={
            "customer": declining,
            "items": [{"price": monthly_price}],
            "paymentBehavior": "ERROR_IF_INCOMPLETE",
        },
    )

    assert [e["code"] for e in user_errors(body)] == ["CARD_DECLINED"]
    assert subscriptions_of(sandbox, declining) == []


def test_an_active_subscription_cannot_resume(
    graphql: GraphQL, sandbox: SandboxProcess, customer: str, monthly_price: str
) -> None:
    created = subscribe(graphql, customer, monthly_price)
    sandbox.reset_requests()

    body = graphql(SUBSCRIPTION_RESUME, input={"id": created["id"]})

    assert user_errors(body) == [
        {
            "field": "id",
            "code": "INVALID_STATE",
            "message": "Only a paused subscription can resume.",
        }
    ]
    assert writes(sandbox) == []


def subscriptions_of(sandbox: SandboxProcess, customer: str) -> list[Any]:
    found = httpx.get(
        f"{sandbox.url}/v1/subscriptions",
        params={"customer": customer, "status": "all"},
        auth=(SANDBOX_KEY, ""),
    ).json()["data"]
    return list(found)


def test_a_replayed_subscription_create_subscribes_once(
    graphql: GraphQL, sandbox: SandboxProcess, customer: str, monthly_price: str
) -> None:
    input = {
        "customer": customer,
        "items": [{"price": monthly_price, "quantity": 2}],
        "idempotencyKey": uuid.uuid4().hex,
    }

    first = graphql(SUBSCRIPTION_CREATE, input=input)
    again = graphql(SUBSCRIPTION_CREATE, input=input)

    assert first["data"] == again["data"]
    assert [s["id"] for s in subscriptions_of(sandbox, customer)] == [
        first["data"]["subscriptionCreate"]["subscription"]["id"]
    ]


def test_a_subscription_key_reused_with_other_items_is_a_conflict(
    graphql: GraphQL, sandbox: SandboxProcess, customer: str, monthly_price: str
) -> None:
    key = uuid.uuid4().hex
    input = {"customer": customer, "items": [{"price": monthly_price}]}
    graphql(SUBSCRIPTION_CREATE, input={**input, "idempotencyKey": key})

    body = graphql(
        SUBSCRIPTION_CREATE,
        input={
            **input,
            "items": [{"price": monthly_price, "quantity": 5}],
            "idempotencyKey": key,
        },
    )

    assert body["data"]["subscriptionCreate"]["subscription"] is None
    assert [(e["field"], e["code"]) for e in user_errors(body)] == [
        ("idempotencyKey", "IDEMPOTENCY_CONFLICT")
    ]
    assert len(subscriptions_of(sandbox, customer)) == 1


USD = {"decimal": "5.00", "currency": "usd"}
ITEMS = [{"price": "price_any"}]


@pytest.mark.parametrize(
    ("document", "input", "field", "code"),
    [
        (INVOICE_ADD_ITEM, {"invoice": "in_any"}, "amount", "INVALID"),
        (
            INVOICE_ADD_ITEM,
            {"invoice": "in_any", "amount": USD, "price": "price_any"},
            "amount",
            "INVALID",
        ),
        (
            INVOICE_ADD_ITEM,
            {"invoice": "in_any", "price": "price_any", "quantity": 0},
            "quantity",
            "INVALID",
        ),
        (
            INVOICE_ADD_ITEM,
            {"invoice": "in_any", "amount": USD, "quantity": 2},
            "quantity",
            "INVALID",
        ),
        (
            INVOICE_ADD_ITEM,
            {"invoice": "in_any", "amount": {"decimal": "5.001", "currency": "usd"}},
            "amount",
            "INVALID",
        ),
        (
            INVOICE_CREATE,
            {"customer": "cus_any", "collectionMethod": "SEND_INVOICE"},
            "daysUntilDue",
            "REQUIRED",
        ),
        (
            INVOICE_CREATE,
            {
                "customer": "cus_any",
                "collectionMethod": "CHARGE_AUTOMATICALLY",
                "daysUntilDue": 7,
            },
            "daysUntilDue",
            "INVALID",
        ),
        (
            INVOICE_UPDATE,
            {"id": "in_any", "daysUntilDue": -1},
            "daysUntilDue",
            "INVALID",
        ),
        (
            INVOICE_CREATE,
            {"customer": "cus_any", "metadata": {f"k{n}": "v" for n in range(51)}},
            "metadata",
            "TOO_MANY",
        ),
        (
            INVOICE_PAY,
            {"id": "in_any", "paymentMethod": "pm_card_visa", "paidOutOfBand": True},
            "paymentMethod",
            "INVALID",
        ),
        (
            INVOICE_FINALIZE,
            {"id": "in_any", "idempotencyKey": "k" * 256},
            "idempotencyKey",
            "INVALID",
        ),
        (
            SUBSCRIPTION_CREATE,
            {"customer": "cus_any", "items": []},
            "items",
            "REQUIRED",
        ),
        (
            SUBSCRIPTION_CREATE,
            {"customer": "cus_any", "items": ITEMS * 21},
            "items",
            "TOO_MANY",
        ),
        (
            SUBSCRIPTION_CREATE,
            {"customer": "cus_any", "items": [{"price": "price_any", "quantity": 0}]},
            "items",
            "INVALID",
        ),
        (
            SUBSCRIPTION_CREATE,
            {"customer": "cus_any", "items": ITEMS, "metadata": {"k" * 41: "v"}},
            "metadata",
            "INVALID",
        ),
        (
            SUBSCRIPTION_CREATE,
            {
                "customer": "cus_any",
                "items": ITEMS,
                "collectionMethod": "SEND_INVOICE",
            },
            "daysUntilDue",
            "REQUIRED",
        ),
        (SUBSCRIPTION_UPDATE, {"id": "sub_any", "items": [{}]}, "items", "REQUIRED"),
        (
            SUBSCRIPTION_UPDATE,
            {"id": "sub_any", "items": [{"deleted": True, "price": "price_any"}]},
            "items",
            "REQUIRED",
        ),
        (
            SUBSCRIPTION_UPDATE,
            {
                "id": "sub_any",
                "items": [{"id": "si_any", "deleted": True, "quantity": 2}],
            },
            "items",
            "INVALID",
        ),
        (
            SUBSCRIPTION_UPDATE,
            {"id": "sub_any", "items": [{"id": "si_any", "quantity": 0}]},
            "items",
            "INVALID",
        ),
        (
            SUBSCRIPTION_UPDATE,
            {"id": "sub_any", "items": [{"id": "si_any"}] * 21},
            "items",
            "TOO_MANY",
        ),
        (SUBSCRIPTION_UPDATE, {"id": "sub_any", "items": []}, "items", "REQUIRED"),
    ],
)
def test_input_is_checked_before_any_write(
    graphql: GraphQL,
    sandbox: SandboxProcess,
    document: str,
    input: dict[str, Any],
    field: str,
    code: str,
) -> None:
    sandbox.reset_requests()

    body = graphql(document, input=input)

    assert {(e["field"], e["code"]) for e in user_errors(body)} == {(field, code)}
    assert sandbox.requests() == []


@pytest.mark.parametrize(
    ("document", "input"),
    [
        (SUBSCRIPTION_CREATE, {"customer": "cus_any"}),
        (
            SUBSCRIPTION_UPDATE,
            {"id": "sub_any", "prorationBehavior": "SOMETIMES"},
        ),
        (INVOICE_CREATE, {"customer": "cus_any", "collectionMethod": "CASH"}),
        (INVOICE_PAY, {"paidOutOfBand": True}),
    ],
)
def test_missing_fields_and_unknown_enums_are_refused_by_the_schema(
    graphql: GraphQL, sandbox: SandboxProcess, document: str, input: dict[str, Any]
) -> None:
    sandbox.reset_requests()

    body = graphql(document, input=input)

    assert body["errors"]
    assert sandbox.requests() == []


@pytest.fixture(scope="module")
def invoices_only(sandbox: SandboxProcess) -> Iterator[GraphQL]:
    gateway = start_gateway(
        {
            "STRIPE_API_KEY": SANDBOX_KEY,
            "STRIPE_API_BASE": sandbox.url,
            "GATEWAY_SCOPES": "invoices:write subscriptions:read customers:read",
        }
    )
    yield graphql_client(gateway.url)
    gateway.stop()


def test_subscription_writes_need_their_own_scope(
    invoices_only: GraphQL, sandbox: SandboxProcess
) -> None:
    sandbox.reset_requests()

    body = invoices_only(
        SUBSCRIPTION_CREATE, input={"customer": "cus_any", "items": ITEMS}
    )

    assert body["data"]["subscriptionCreate"] is None
    assert body["errors"][0]["extensions"] == {
        "code": "FORBIDDEN",
        "requiredScope": "subscriptions:write",
    }
    assert sandbox.request_count() == 0


@pytest.fixture(scope="module")
def pausable() -> Iterator[SandboxThread]:
    """A sandbox in this process: nothing in Stripe's API pauses a
    subscription on demand, so the test sets that state in its store."""
    sandbox = start_in_thread(seed=None)
    yield sandbox
    sandbox.stop()


@pytest.fixture(scope="module")
def pausable_graphql(pausable: SandboxThread) -> Iterator[GraphQL]:
    env = {"STRIPE_API_KEY": SANDBOX_KEY, "STRIPE_API_BASE": pausable.url}
    gateway = start_gateway(env)
    yield graphql_client(gateway.url)
    gateway.stop()


def test_a_paused_subscription_resumes(
    pausable: SandboxThread, pausable_graphql: GraphQL
) -> None:
    customer = new_customer(pausable.url)
    price = new_price(pausable.url, 1500, recurring=True)
    created = subscribe(pausable_graphql, customer, price)
    store: Store = pausable.server.config.app.state.store
    store.get("subscription", created["id"])["status"] = "paused"

    resumed = pausable_graphql(SUBSCRIPTION_RESUME, input={"id": created["id"]})
    shown = pausable_graphql(SUBSCRIPTION_QUERY, id=created["id"])

    assert payload(resumed, "subscriptionResume")["subscription"]["status"] == "ACTIVE"
    assert shown["data"]["subscription"]["status"] == "ACTIVE"
