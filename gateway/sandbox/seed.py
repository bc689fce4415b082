"""The demo data set, built through the same functions as the HTTP endpoints.

Deterministic by construction: a fixed base timestamp, a frozen clock moved
by hand, and ids drawn from the store's seeded random generator. Two starts
give byte-identical objects.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from .errors import StripeError
from .objects.catalog import create_price, create_product
from .objects.customers import create_customer, update_customer
from .objects.invoice_lines import create_invoice_item
from .objects.invoices import (
    attach_item,
    create_invoice,
    finalize_invoice,
    pay_invoice,
    void_invoice,
)
from .objects.payments import confirm_intent, create_intent
from .objects.refunds import create_refund
from .objects.subscriptions import (
    cancel_subscription,
    create_subscription,
    expire_incomplete,
    items_of,
    renew,
)
from .store import Obj, Store

BASE_TIME = 1_772_323_200  # 2026-03-01T00:00:00Z
DAY = 86_400
CURRENCIES = ("usd", "eur", "jpy", "bhd")

# name, kind, {interval: {currency: unit_amount}}; "once" means a one-time price.
PRODUCTS: list[tuple[str, str, dict[str, dict[str, int]]]] = [
    (
        "Starter",
        "service",
        {
            "month": {"usd": 1500, "eur": 1400, "jpy": 2000, "bhd": 5600},
            "year": {"usd": 15000, "eur": 14000, "jpy": 20000, "bhd": 56000},
        },
    ),
    (
        "Pro",
        "service",
        {
            "month": {"usd": 4900, "eur": 4500, "jpy": 7000, "bhd": 18500},
            "year": {"usd": 49000, "eur": 45000, "jpy": 70000, "bhd": 185000},
        },
    ),
    (
        "Enterprise",
        "service",
        {
            "month": {"usd": 9900, "eur": 9200, "jpy": 15000, "bhd": 35200},
        },
    ),
    (
        "Analytics add-on",
        "service",
        {
            "month": {"usd": 900, "eur": 800, "jpy": 1200, "bhd": 3400},
        },
    ),
    (
        "Onboarding session",
        "service",
        {
            "once": {"usd": 25000, "eur": 23000, "jpy": 38000, "bhd": 94000},
        },
    ),
    (
        "Sticker pack",
        "good",
        {
            "once": {"usd": 1200, "eur": 1100, "jpy": 1800, "bhd": 4500},
        },
    ),
]

# name, currency, default payment method (None: nothing on file)
CUSTOMERS: list[tuple[str, str, str | None]] = [
    ("Ada Lovelace", "usd", "pm_card_visa"),
    ("Grace Hopper", "usd", "pm_card_mastercard"),
    ("Alan Turing", "eur", "pm_card_visa"),
    ("Katherine Johnson", "usd", "pm_card_visa"),
    ("Hedy Lamarr", "eur", "pm_card_amex"),
    ("Yukihiro Matsumoto", "jpy", "pm_card_visa"),
    ("Fatima Al-Fihri", "bhd", "pm_card_visa"),
    ("Edsger Dijkstra", "eur", "pm_card_visa"),
    ("Margaret Hamilton", "usd", "pm_card_visa"),
    ("Satoshi Tajiri", "jpy", "pm_card_mastercard"),
    ("Ibn al-Haytham", "bhd", "pm_card_visa"),
    ("Barbara Liskov", "usd", "pm_card_visa"),
    ("Tim Berners-Lee", "eur", "pm_card_visa"),
    ("Radia Perlman", "usd", "pm_card_visa"),
    ("Hiro Nakamura", "jpy", "pm_card_visa"),
    ("Leila Haddad", "bhd", "pm_card_visa"),
    ("Linus Torvalds", "eur", "pm_card_visa"),
    ("Frances Allen", "usd", None),
    ("Niklaus Wirth", "eur", None),
    ("Annie Easley", "usd", "pm_card_visa"),
    ("Akira Yoshizawa", "jpy", None),
    ("Noor Hassan", "bhd", "pm_card_visa"),
    ("Guido van Rossum", "eur", "pm_card_visa"),
    ("Joan Clarke", "usd", "pm_card_visa"),
    ("Dennis Ritchie", "usd", "pm_card_visa"),
]

# customer index, items [(product, interval)], what happens next
SUBSCRIPTIONS: list[tuple[int, list[tuple[str, str]], str]] = [
    (0, [("Pro", "month"), ("Analytics add-on", "month")], "renewed"),
    (1, [("Starter", "month")], "renewed"),
    (2, [("Pro", "year")], "active"),
    (3, [("Enterprise", "month")], "renewed"),
    (4, [("Starter", "month"), ("Analytics add-on", "month")], "active"),
    (5, [("Pro", "month")], "renewed"),
    (6, [("Enterprise", "month"), ("Analytics add-on", "month")], "renewed"),
    (7, [("Starter", "year")], "active"),
    (8, [("Pro", "month")], "trialing"),
    (9, [("Starter", "month")], "trialing"),
    (10, [("Pro", "month")], "past_due"),
    (11, [("Starter", "month"), ("Analytics add-on", "month")], "past_due"),
    (12, [("Pro", "month")], "canceled"),
    (13, [("Starter", "month")], "canceled"),
    (17, [("Pro", "month")], "incomplete"),
    (18, [("Starter", "month")], "incomplete_expired"),
    (15, [("Starter", "month")], "send_invoice"),
]


class Seeder:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.prices: dict[tuple[str, str, str], Obj] = {}
        self.customers: list[Obj] = []

    def at(self, day: float) -> None:
        self.store.frozen_now = BASE_TIME + int(day * DAY)

    def run(self) -> None:
        self.at(0)
        self.catalog()
        self.people()
        self.subscriptions()
        self.one_off_invoices()
        self.payments()
        self.store.frozen_now = None

    def catalog(self) -> None:
        for index, (name, kind, prices) in enumerate(PRODUCTS):
            self.at(index * 0.01)
            product = create_product(self.store, {"name": name, "type": kind})
            for interval, amounts in prices.items():
                for currency, amount in amounts.items():
                    self.price(product, interval, currency, amount)
            product["default_price"] = self.prices[(name, next(iter(prices)), "usd")][
                "id"
            ]
        # A retired price, so that the default `active=true` filter has work.
        legacy = create_price(
            self.store,
            {
                "product": self.prices[("Pro", "month", "usd")]["product"],
                "currency": "usd",
                "unit_amount": 3900,
                "recurring": {"interval": "month"},
                "nickname": "Pro (2025 pricing)",
                "active": False,
            },
        )
        legacy["metadata"] = {"retired": "2026-01"}

    def price(self, product: Obj, interval: str, currency: str, amount: int) -> None:
        values: dict[str, Any] = {
            "product": product["id"],
            "currency": currency,
            "unit_amount": amount,
            "lookup_key": f"{product['name'].split()[0].lower()}_{interval}_{currency}",
        }
        if interval != "once":
            values["recurring"] = {"interval": interval}
        self.prices[(product["name"], interval, currency)] = create_price(
            self.store, values
        )

    def people(self) -> None:
        for index, (name, currency, method) in enumerate(CUSTOMERS):
            self.at(1 + index * 1.5)
            email = name.lower().replace(" ", ".").replace("'", "") + "@example.com"
            values: dict[str, Any] = {
                "name": name,
                "email": email,
                "metadata": {"segment": ("smb", "mid_market", "enterprise")[index % 3]},
                "preferred_locales": [
                    {"eur": "fr", "jpy": "ja", "bhd": "ar"}.get(currency, "en")
                ],
            }
            if method:
                values["invoice_settings"] = {"default_payment_method": method}
            customer = create_customer(self.store, values)
            customer["currency"] = currency
            self.customers.append(customer)

    def subscriptions(self) -> None:
        for index, (who, items, fate) in enumerate(SUBSCRIPTIONS):
            self.at(40 + index * 2.5)
            customer = self.customers[who]
            values: dict[str, Any] = {
                "customer": customer["id"],
                "items": [
                    {"price": self.prices[(name, interval, customer["currency"])]["id"]}
                    for name, interval in items
                ],
                "metadata": {"plan": items[0][0].lower()},
            }
            if fate == "trialing":
                values["trial_period_days"] = 14 + index
            if fate == "send_invoice":
                values.update(collection_method="send_invoice", days_until_due=30)
            subscription = create_subscription(self.store, values)
            _FATES.get(fate, lambda seeder, sub, cus: None)(
                self, subscription, customer
            )

    def renew(self, subscription: Obj) -> None:
        end = min(
            item["current_period_end"] for item in items_of(self.store, subscription)
        )
        self.store.frozen_now = end
        renew(self.store, subscription)

    def one_off_invoices(self) -> None:
        plan = [
            (19, "paid", "usd"),
            (20, "open", "jpy"),
            (21, "void", "bhd"),
            (22, "draft", "eur"),
            (23, "paid", "usd"),
        ]
        for index, (who, status, currency) in enumerate(plan):
            self.at(150 + index * 3)
            self.one_off(self.customers[who], status, currency)

    def one_off(self, customer: Obj, status: str, currency: str) -> None:
        method = "send_invoice" if status == "open" else "charge_automatically"
        invoice = create_invoice(
            self.store,
            {
                "customer": customer["id"],
                "currency": currency,
                "collection_method": method,
                "days_until_due": 30 if method == "send_invoice" else None,
                "description": "Onboarding and materials",
            },
        )
        for name, quantity in (("Onboarding session", 1), ("Sticker pack", 3)):
            price = self.prices[(name, "once", currency)]
            item = create_invoice_item(
                self.store,
                {
                    "customer": customer["id"],
                    "pricing": {"price": price["id"]},
                    "quantity": quantity,
                },
            )
            attach_item(self.store, invoice, item)
        if status == "draft":
            return
        finalize_invoice(self.store, invoice)
        self.store.frozen_now = (self.store.frozen_now or BASE_TIME) + 3600
        if status == "paid":
            pay_invoice(self.store, invoice, {})
        elif status == "void":
            void_invoice(self.store, invoice)

    def payments(self) -> None:
        plan = [
            (0, 2500, "pm_card_visa", "Workshop ticket"),
            (2, 12000, "pm_card_visa", "Consulting hours"),
            (5, 8000, "pm_card_visa", "Conference pass"),
            (6, 42300, "pm_card_visa", "Hardware kit"),
            (8, 1999, "pm_card_chargeDeclined", "Gift card"),
            (12, 4500, "pm_card_visa_chargeDeclinedInsufficientFunds", "Annual prepay"),
            (14, 3000, None, "Abandoned checkout"),
            (24, 15000, "pm_card_visa", "Priority support"),
        ]
        charges = []
        for index, (who, amount, method, description) in enumerate(plan):
            self.at(170 + index * 2)
            charges.append(
                self.payment(self.customers[who], amount, method, description)
            )
        self.at(190)
        create_refund(
            self.store,
            {"charge": charges[0], "amount": 1000, "reason": "requested_by_customer"},
        )
        self.at(191)
        create_refund(self.store, {"charge": charges[3], "reason": "duplicate"})

    def payment(
        self, customer: Obj, amount: int, method: str | None, description: str
    ) -> str | None:
        intent = create_intent(
            self.store,
            {
                "amount": amount,
                "currency": customer["currency"],
                "customer": customer["id"],
                "description": description,
                "payment_method": method,
            },
        )
        if method:
            # A declined card is part of the demo story.
            with contextlib.suppress(StripeError):
                confirm_intent(self.store, intent)
        return intent["latest_charge"]


def _renewed(seeder: Seeder, subscription: Obj, customer: Obj) -> None:
    seeder.renew(subscription)
    seeder.renew(subscription)


def _past_due(seeder: Seeder, subscription: Obj, customer: Obj) -> None:
    seeder.renew(subscription)
    # The card on file starts failing before the next renewal.
    update_customer(
        customer,
        {"invoice_settings": {"default_payment_method": "pm_card_chargeDeclined"}},
    )
    seeder.renew(subscription)


def _canceled(seeder: Seeder, subscription: Obj, customer: Obj) -> None:
    seeder.renew(subscription)
    seeder.store.frozen_now = (seeder.store.frozen_now or BASE_TIME) + 5 * DAY
    cancel_subscription(seeder.store, subscription)


def _expired(seeder: Seeder, subscription: Obj, customer: Obj) -> None:
    seeder.store.frozen_now = (seeder.store.frozen_now or BASE_TIME) + DAY
    expire_incomplete(seeder.store, subscription)


_FATES: dict[str, Callable[[Seeder, Obj, Obj], None]] = {
    "renewed": _renewed,
    "past_due": _past_due,
    "canceled": _canceled,
    "incomplete_expired": _expired,
}


def load_seed(store: Store, name: str) -> None:
    if name != "demo":
        raise ValueError(f"unknown seed {name!r}; use 'demo' or 'none'")
    Seeder(store).run()
