"""Money as Stripe reports it: an integer in the currency's minor unit."""

from __future__ import annotations

from decimal import Decimal

import strawberry

# Stripe's currencies whose minor unit is not the hundredth.
ZERO_DECIMAL = frozenset(
    ["bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga"]
    + ["pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"]
)
THREE_DECIMAL = frozenset(["bhd", "jod", "kwd", "omr", "tnd"])


def minor_unit_exponent(currency: str) -> int:
    """How many decimal places the currency's minor unit has."""
    code = currency.lower()
    if code in ZERO_DECIMAL:
        return 0
    if code in THREE_DECIMAL:
        return 3
    return 2


def to_decimal(amount: int, currency: str) -> str:
    """Exact major-unit text: 500 usd is "5.00", 500 jpy "500", 35200 bhd "35.200"."""
    exponent = minor_unit_exponent(currency)
    return f"{Decimal(amount).scaleb(-exponent):.{exponent}f}"


@strawberry.type(description="An amount of money in one currency.")
class Money:
    amount: int = strawberry.field(
        description="The amount in the currency's minor unit (cents for USD, "
        "yen for JPY, fils for BHD), exactly as Stripe reports it."
    )
    currency: str = strawberry.field(
        description="Three-letter ISO 4217 currency code, lowercase as Stripe sends it."
    )

    @strawberry.field(
        description="The exact amount in major units as a decimal string: 500 USD "
        'is "5.00", 500 JPY is "500" and 35200 BHD is "35.200".'
    )
    def decimal(self) -> str:
        return to_decimal(self.amount, self.currency)
