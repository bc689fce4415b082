"""The canonical queries' data fetched by hand with the stripe SDK: the yardstick.

Each function makes the calls a competent engineer would write for that data and
no more, concurrently wherever one call does not need another's answer. They
share one concurrency budget, the same one the gateway has per request
(``STRIPE_CONCURRENCY``), so a difference in wall time comes from planning and
overhead, not from a different fan-out.

Stripe's tools, as documented: ``expand[]`` follows up to four levels (a list's
``data`` counts as one), ``GET /v1/products?ids[]=…`` fetches up to 100 products
in one call, prices have no ``ids[]`` filter, and a list embedded in its parent
(subscription items, invoice lines, expanded subscriptions or refunds) holds its
first 10 objects with ``has_more``. A follow-up call is made only where
``has_more`` says the embedded page is short.

Each function returns its data in the shape of the GraphQL response, so that
``fingerprint`` can show both fetched the same objects.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

import stripe

PAGE = 10
"""The page of a connection queried without ``first``, in the gateway and Stripe."""

ROOT_PAGE = 20
"""``first: 20`` on the root lists of the canonical queries."""

PRODUCT_IDS_MAX = 100
"""How many ids one ``GET /v1/products?ids[]=…`` accepts."""

Data = dict[str, Any]
Variables = Mapping[str, Any]


class StripeByHand:
    """The SDK client and the concurrency budget shared by one script's calls."""

    def __init__(self, client: stripe.StripeClient, concurrency: int) -> None:
        self.v1 = client.v1
        self._slots = asyncio.Semaphore(concurrency)

    async def call(self, request: Awaitable[stripe.StripeObject]) -> Data:
        """Send one SDK call within the budget; return its body as plain dicts."""
        async with self._slots:
            found = await request
        return found.to_dict()


async def one_customer(sdk: StripeByHand, variables: Variables) -> Data:
    """One customer with everything: 5 calls in 2 rounds.

    Round 1, concurrently:

    1. ``GET /v1/customers/{id}?expand[]=subscriptions``: the customer and its
       first 10 subscriptions, whose items and prices Stripe embeds.
    2. ``GET /v1/invoices?customer={id}&limit=10``: lines come embedded.
    3. ``GET /v1/charges?customer={id}&limit=10&expand[]=data.refunds``.
    4. ``GET /v1/payment_intents?customer={id}&limit=10&expand[]=data.latest_charge``.

    Round 2: ``GET /v1/products?ids[]=…``, the products of those prices at once.

    Why no fewer: invoices, charges and payment intents are lists of their own
    that no customer call can expand, so with the customer they take four
    calls. A product lies six levels below the customer
    (``subscriptions.data.items.data.price.product``), past expand's four, and
    the one products call fetches all of them by id.
    """
    customer_id = variables["id"]
    v1 = sdk.v1
    customer, invoices, charges, intents = await asyncio.gather(
        sdk.call(
            v1.customers.retrieve_async(customer_id, {"expand": ["subscriptions"]})
        ),
        sdk.call(v1.invoices.list_async({"customer": customer_id, "limit": PAGE})),
        sdk.call(
            v1.charges.list_async(
                {"customer": customer_id, "limit": PAGE, "expand": ["data.refunds"]}
            )
        ),
        sdk.call(
            v1.payment_intents.list_async(
                {
                    "customer": customer_id,
                    "limit": PAGE,
                    "expand": ["data.latest_charge"],
                }
            )
        ),
    )
    subscriptions, invoice_lines, refunds = await asyncio.gather(
        _subscriptions_of(sdk, customer),
        asyncio.gather(*(_lines_of(sdk, invoice) for invoice in invoices["data"])),
        asyncio.gather(*(_refunds_of(sdk, charge) for charge in charges["data"])),
    )
    products = await _products_by_id(sdk, _product_ids(subscriptions))
    return {
        "customer": {
            **_customer_fields(customer),
            "subscriptions": _nodes(_subscription(s, products) for s in subscriptions),
            "invoices": _nodes(
                {**_invoice_fields(invoice), "lines": _nodes(map(_line_fields, lines))}
                for invoice, lines in zip(invoices["data"], invoice_lines, strict=True)
            ),
            "charges": _nodes(
                {**_charge_fields(charge), "refunds": _nodes(map(_refund, found))}
                for charge, found in zip(charges["data"], refunds, strict=True)
            ),
            "paymentIntents": _nodes(
                {
                    **_intent_fields(intent),
                    "latestCharge": _maybe(_charge_brief, intent["latest_charge"]),
                }
                for intent in intents["data"]
            ),
        }
    }


async def customers_subscriptions(sdk: StripeByHand, variables: Variables) -> Data:
    """20 customers, their subscriptions, items, prices and products: 2 calls.

    1. ``GET /v1/customers?limit=20&expand[]=data.subscriptions``: each customer
       with its first 10 subscriptions, their items and prices embedded.
    2. ``GET /v1/products?ids[]=…``: the distinct products of those prices.

    Why no fewer: the products lie past expand's four levels
    (``data.subscriptions.data.items.data.price.product`` is seven), so they
    need a call of their own, and one products call takes 100 ids.
    """
    customers = await sdk.call(
        sdk.v1.customers.list_async(
            {"limit": ROOT_PAGE, "expand": ["data.subscriptions"]}
        )
    )
    subscriptions = await asyncio.gather(
        *(_subscriptions_of(sdk, customer) for customer in customers["data"])
    )
    products = await _products_by_id(
        sdk, (p for found in subscriptions for p in _product_ids(found))
    )
    return {
        "customers": _nodes(
            {
                "id": customer["id"],
                "email": customer["email"],
                "subscriptions": _nodes(_subscription(s, products) for s in found),
            }
            for customer, found in zip(customers["data"], subscriptions, strict=True)
        )
    }


async def invoices_customer_lines(sdk: StripeByHand, variables: Variables) -> Data:
    """20 invoices, their customers, lines, prices and products: 1 + P calls,
    P the distinct prices on those lines, in 2 rounds.

    1. ``GET /v1/invoices?limit=20&expand[]=data.customer``: the invoices, each
       with its customer and its first 10 lines.
    2. ``GET /v1/prices/{id}?expand[]=product`` for each distinct price,
       concurrently.

    Why no fewer: a line's price lies at
    ``data.lines.data.pricing.price_details.price``, six levels deep, and
    prices have no ``ids[]`` filter, so each distinct price is one retrieve;
    expanding its product there saves a third round.
    """
    invoices = await sdk.call(
        sdk.v1.invoices.list_async({"limit": ROOT_PAGE, "expand": ["data.customer"]})
    )
    lines = await asyncio.gather(*(_lines_of(sdk, i) for i in invoices["data"]))
    price_ids = sorted({p for found in lines for p in map(_line_price, found) if p})
    prices = await asyncio.gather(
        *(
            sdk.call(sdk.v1.prices.retrieve_async(p, {"expand": ["product"]}))
            for p in price_ids
        )
    )
    by_id = {price["id"]: price for price in prices}
    return {
        "invoices": _nodes(
            {
                "id": invoice["id"],
                "total": _money(invoice["total"], invoice["currency"]),
                "customer": _maybe(_customer_brief, invoice["customer"]),
                "lines": _nodes(
                    {
                        "id": line["id"],
                        "amount": _money(line["amount"], line["currency"]),
                        "price": _maybe(_price_product, by_id.get(_line_price(line))),
                    }
                    for line in found
                ),
            }
            for invoice, found in zip(invoices["data"], lines, strict=True)
        )
    }


async def payments_charges_refunds(sdk: StripeByHand, variables: Variables) -> Data:
    """20 payment intents, their latest charges and those charges' refunds:
    1 call.

    1. ``GET /v1/payment_intents?limit=20&expand[]=data.latest_charge.refunds``.

    Why no fewer: everything lies within three levels of the list.
    """
    intents = await sdk.call(
        sdk.v1.payment_intents.list_async(
            {"limit": ROOT_PAGE, "expand": ["data.latest_charge.refunds"]}
        )
    )
    charges = [intent["latest_charge"] for intent in intents["data"]]
    refunds = await asyncio.gather(
        *(_refunds_of(sdk, charge) for charge in charges if charge)
    )
    refunds_by_charge = {
        charge["id"]: found
        for charge, found in zip(filter(None, charges), refunds, strict=True)
    }
    return {
        "paymentIntents": _nodes(
            {
                **_intent_fields(intent),
                "latestCharge": _maybe(
                    lambda charge: {
                        **_charge_brief(charge),
                        "refunds": _nodes(
                            map(_refund, refunds_by_charge[charge["id"]])
                        ),
                    },
                    intent["latest_charge"],
                ),
            }
            for intent in intents["data"]
        )
    }


async def products_prices(sdk: StripeByHand, variables: Variables) -> Data:
    """20 products and their prices: 1 + N calls, N the products, in 2 rounds.

    1. ``GET /v1/products?limit=20``.
    2. ``GET /v1/prices?product={id}&limit=10`` for each product, concurrently.

    Why no fewer: a product embeds no list of its prices (only its default
    price), and the prices list filters by one product at a time. An
    unfiltered prices list would answer in fewer calls only when the whole
    catalog's prices fit in its pages, a bet on the account, not a plan.
    """
    products = await sdk.call(sdk.v1.products.list_async({"limit": ROOT_PAGE}))
    prices = await asyncio.gather(
        *(
            sdk.call(sdk.v1.prices.list_async({"product": p["id"], "limit": PAGE}))
            for p in products["data"]
        )
    )
    return {
        "products": _nodes(
            {
                "id": product["id"],
                "name": product["name"],
                "prices": _nodes(
                    {
                        "id": price["id"],
                        "unitAmount": _money(price["unit_amount"], price["currency"]),
                        "type": price["type"],
                    }
                    for price in found["data"]
                ),
            }
            for product, found in zip(products["data"], prices, strict=True)
        )
    }


HANDWRITTEN: Mapping[str, Callable[[StripeByHand, Variables], Awaitable[Data]]] = {
    "one_customer": one_customer,
    "customers_subscriptions": customers_subscriptions,
    "invoices_customer_lines": invoices_customer_lines,
    "payments_charges_refunds": payments_charges_refunds,
    "products_prices": products_prices,
}
"""The script for each canonical query, by the query's name."""


COMPARED_KEYS = frozenset({"id", "amount", "quantity", "email", "name", "status"})


def fingerprint(tree: Any, path: str = "") -> list[tuple[str, Any]]:
    """The identifying leaves of a response, with their paths, in a fixed order.

    Two answers with the same fingerprint hold the same objects in the same
    places with the same amounts; formatting fields such as ``decimal`` are
    left out, and statuses compare regardless of case (GraphQL enums are upper
    case, Stripe's values lower case).
    """
    if isinstance(tree, list):
        return [leaf for item in tree for leaf in fingerprint(item, path)]
    if not isinstance(tree, dict):
        return []
    leaves: list[tuple[str, Any]] = []
    for key in sorted(tree):
        value, where = tree[key], f"{path}.{key}"
        if isinstance(value, dict | list):
            leaves.extend(fingerprint(value, where))
        elif key in COMPARED_KEYS:
            is_status = key == "status" and isinstance(value, str)
            leaves.append((where, value.lower() if is_status else value))
    return leaves


async def _subscriptions_of(sdk: StripeByHand, customer: Data) -> list[Data]:
    # Expanded subscriptions can hold canceled ones, which the subscriptions
    # list (and so the GraphQL field) leaves out by default.
    embedded = customer["subscriptions"]
    current = [s for s in embedded["data"] if s["status"] != "canceled"]
    if len(current) < PAGE and embedded["has_more"]:
        found = await sdk.call(
            sdk.v1.subscriptions.list_async({"customer": customer["id"], "limit": PAGE})
        )
        current = found["data"]
    items = await asyncio.gather(*(_items_of(sdk, s) for s in current[:PAGE]))
    return [
        {**s, "items": {"data": found}}
        for s, found in zip(current[:PAGE], items, strict=True)
    ]


async def _items_of(sdk: StripeByHand, subscription: Data) -> list[Data]:
    return await _embedded_page(
        sdk,
        subscription["items"],
        lambda: sdk.v1.subscription_items.list_async(
            {"subscription": subscription["id"], "limit": PAGE}
        ),
    )


async def _lines_of(sdk: StripeByHand, invoice: Data) -> list[Data]:
    return await _embedded_page(
        sdk,
        invoice["lines"],
        lambda: sdk.v1.invoices.line_items.list_async(invoice["id"], {"limit": PAGE}),
    )


async def _refunds_of(sdk: StripeByHand, charge: Data) -> list[Data]:
    return await _embedded_page(
        sdk,
        charge["refunds"],
        lambda: sdk.v1.refunds.list_async({"charge": charge["id"], "limit": PAGE}),
    )


async def _embedded_page(
    sdk: StripeByHand,
    embedded: Data,
    fetch: Callable[[], Awaitable[stripe.StripeObject]],
) -> list[Data]:
    """The first page of a list Stripe embedded; fetched only when it is short."""
    data: list[Data] = embedded["data"]
    if len(data) >= PAGE or not embedded["has_more"]:
        return data[:PAGE]
    found: list[Data] = (await sdk.call(fetch()))["data"]
    return found


async def _products_by_id(sdk: StripeByHand, ids: Iterable[str]) -> dict[str, Data]:
    distinct = sorted(set(ids))
    chunks = [
        distinct[start : start + PRODUCT_IDS_MAX]
        for start in range(0, len(distinct), PRODUCT_IDS_MAX)
    ]
    pages = await asyncio.gather(
        *(
            sdk.call(sdk.v1.products.list_async({"ids": chunk, "limit": len(chunk)}))
            for chunk in chunks
        )
    )
    return {product["id"]: product for page in pages for product in page["data"]}


def _product_ids(subscriptions: Iterable[Data]) -> list[str]:
    return [
        item["price"]["product"]
        for subscription in subscriptions
        for item in subscription["items"]["data"]
    ]


def _subscription(subscription: Data, products: Mapping[str, Data]) -> Data:
    return {
        "id": subscription["id"],
        "status": subscription["status"],
        "items": _nodes(
            {
                "quantity": item["quantity"],
                "price": _price_brief(
                    {**item["price"], "product": products.get(item["price"]["product"])}
                ),
            }
            for item in subscription["items"]["data"]
        ),
    }


def _line_price(line: Data) -> str | None:
    details = (line.get("pricing") or {}).get("price_details") or {}
    price = details.get("price")
    return price if isinstance(price, str) else None


def _customer_fields(customer: Data) -> Data:
    return {
        "id": customer["id"],
        "email": customer["email"],
        "name": customer["name"],
        "balance": _money(customer["balance"], customer.get("currency")),
    }


def _customer_brief(customer: Data) -> Data | None:
    if customer.get("deleted"):
        return None
    return {"id": customer["id"], "email": customer["email"]}


def _price_brief(price: Data) -> Data:
    return {
        **_price_product(price),
        "unitAmount": _money(price["unit_amount"], price["currency"]),
    }


def _price_product(price: Data) -> Data:
    product = price["product"]
    named = None if product is None else {"id": product["id"], "name": product["name"]}
    return {"id": price["id"], "product": named}


def _invoice_fields(invoice: Data) -> Data:
    return {
        "id": invoice["id"],
        "status": invoice["status"],
        "total": _money(invoice["total"], invoice["currency"]),
    }


def _line_fields(line: Data) -> Data:
    return {"id": line["id"], "amount": _money(line["amount"], line["currency"])}


def _charge_fields(charge: Data) -> Data:
    return {
        "id": charge["id"],
        "status": charge["status"],
        "amount": _money(charge["amount"], charge["currency"]),
    }


def _charge_brief(charge: Data) -> Data:
    return {"id": charge["id"], "status": charge["status"]}


def _intent_fields(intent: Data) -> Data:
    return {
        "id": intent["id"],
        "status": intent["status"],
        "amount": _money(intent["amount"], intent["currency"]),
    }


def _refund(refund: Data) -> Data:
    return {
        "id": refund["id"],
        "status": refund["status"],
        "amount": _money(refund["amount"], refund["currency"]),
    }


def _money(amount: int | None, currency: str | None) -> Data | None:
    # The gateway's Money needs both; without a currency it is null.
    if amount is None or not currency:
        return None
    return {"amount": amount, "currency": currency}


def _maybe(build: Callable[[Data], Data | None], value: Data | None) -> Data | None:
    return None if value is None else build(value)


def _nodes(objects: Iterable[Data]) -> Data:
    return {"nodes": list(objects)}
