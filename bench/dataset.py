"""Which demo objects the queries aim at, chosen at run time from the sandbox."""

from __future__ import annotations

import stripe

LOOK_AT = 100


async def pick_customer(client: stripe.StripeClient) -> str:
    """The newest customer with a current subscription and a refunded charge,
    so that ``one_customer`` reaches every relation it asks for; failing that
    the newest with a current subscription, failing that the newest customer."""
    customers = await client.v1.customers.list_async(
        {"limit": LOOK_AT, "expand": ["data.subscriptions"]}
    )
    refunds = await client.v1.refunds.list_async(
        {"limit": LOOK_AT, "expand": ["data.charge"]}
    )
    refunded = {
        refund["charge"]["customer"]
        for refund in refunds.to_dict()["data"]
        if refund["charge"]
    }
    everyone = customers.to_dict()["data"]
    subscribed = [
        customer["id"]
        for customer in everyone
        if any(s["status"] != "canceled" for s in customer["subscriptions"]["data"])
    ]
    for candidates in ([c for c in subscribed if c in refunded], subscribed):
        if candidates:
            return str(candidates[0])
    if not everyone:
        raise RuntimeError("the sandbox holds no customers")
    return str(everyone[0]["id"])
