"""Turns stored objects into API responses: copies them and embeds the lists
and sub-objects Stripe embeds by default, or on request for includables."""

from __future__ import annotations

import copy
from typing import Any

from .lists import envelope
from .store import Obj, Store

EMBEDDED_PAGE = 10


class Renderer:
    def __init__(self, store: Store) -> None:
        self.store = store

    def render(self, obj: Obj) -> Obj:
        body = {k: copy.deepcopy(v) for k, v in obj.items() if not k.startswith("_")}
        embed = _EMBEDS.get(body["object"])
        if embed:
            embed(self, body)
        return body

    def by_id(self, object_id: str) -> Obj | str:
        obj = self.store.find(object_id)
        return self.render(obj) if obj else object_id

    def include(self, owner: Obj, field: str) -> Any:
        return _INCLUDES[(owner["object"], field)](self, owner)

    def children(self, kind: str, url: str, limit: int | None, **equal: Any) -> Obj:
        found = sorted(self.store.where(kind, **equal), key=self.store.sort_key)
        shown = found if limit is None else found[:limit]
        data = [self.render(child) for child in shown]
        return envelope(data, len(found) > len(shown), url)

    def newest_children(
        self, kind: str, url: str, skip_status: str | None = None, **equal: Any
    ) -> Obj:
        found = sorted(self.store.where(kind, **equal), key=self.store.sort_key)
        found = [child for child in found if child.get("status") != skip_status]
        found.reverse()
        data = [self.render(child) for child in found[:EMBEDDED_PAGE]]
        return envelope(data, len(found) > EMBEDDED_PAGE, url)


def plan_from_price(price: Obj) -> Obj:
    """The legacy Plan view of a recurring price, as subscription items carry."""
    recurring = price.get("recurring") or {}
    amount = price["unit_amount"]
    return {
        "id": price["id"],
        "object": "plan",
        "active": price["active"],
        "amount": amount,
        "amount_decimal": None if amount is None else str(amount),
        "billing_scheme": price["billing_scheme"],
        "created": price["created"],
        "currency": price["currency"],
        "interval": recurring.get("interval", "month"),
        "interval_count": recurring.get("interval_count", 1),
        "livemode": False,
        "metadata": dict(price["metadata"]),
        "meter": recurring.get("meter"),
        "nickname": price["nickname"],
        "product": price["product"],
        "tiers_mode": price["tiers_mode"],
        "transform_usage": None,
        "trial_period_days": recurring.get("trial_period_days"),
        "usage_type": recurring.get("usage_type", "licensed"),
    }


def _embed_invoice(renderer: Renderer, body: Obj) -> None:
    url = f"/v1/invoices/{body['id']}/lines"
    body["lines"] = renderer.children(
        "line_item", url, EMBEDDED_PAGE, invoice=body["id"]
    )


def _embed_subscription(renderer: Renderer, body: Obj) -> None:
    url = f"/v1/subscription_items?subscription={body['id']}"
    body["items"] = renderer.children(
        "subscription_item", url, None, subscription=body["id"]
    )


def _embed_item(renderer: Renderer, body: Obj) -> None:
    price = renderer.store.get("price", body["price"])
    body["price"] = renderer.render(price)
    body["plan"] = plan_from_price(price)


def _customer_subscriptions(renderer: Renderer, owner: Obj) -> Obj:
    url = f"/v1/customers/{owner['id']}/subscriptions"
    # Like the subscriptions list, the included list leaves out canceled ones.
    return renderer.newest_children(
        "subscription", url, skip_status="canceled", customer=owner["id"]
    )


def _charge_refunds(renderer: Renderer, owner: Obj) -> Obj:
    url = f"/v1/charges/{owner['id']}/refunds"
    return renderer.newest_children("refund", url, charge=owner["id"])


def _invoice_payments(renderer: Renderer, owner: Obj) -> Obj:
    url = f"/v1/invoice_payments?invoice={owner['id']}"
    return renderer.newest_children("invoice_payment", url, invoice=owner["id"])


def _confirmation_secret(renderer: Renderer, owner: Obj) -> Obj | None:
    payments = renderer.store.where("invoice_payment", invoice=owner["id"])
    for payment in payments:
        intent_id = payment["payment"]["payment_intent"]
        intent = renderer.store.find(intent_id) if intent_id else None
        if payment["is_default"] and intent:
            return {"client_secret": intent["client_secret"], "type": "payment_intent"}
    return None


def _empty_list(suffix: str) -> Any:
    def build(renderer: Renderer, owner: Obj) -> Obj:
        return envelope([], False, f"/v1/customers/{owner['id']}/{suffix}")

    return build


_EMBEDS = {
    "invoice": _embed_invoice,
    "subscription": _embed_subscription,
    "subscription_item": _embed_item,
}

_INCLUDES = {
    ("customer", "subscriptions"): _customer_subscriptions,
    ("customer", "sources"): _empty_list("sources"),
    ("customer", "tax_ids"): _empty_list("tax_ids"),
    ("charge", "refunds"): _charge_refunds,
    ("invoice", "payments"): _invoice_payments,
    ("invoice", "confirmation_secret"): _confirmation_secret,
}
