"""Small pieces shared by the resource builders."""

from __future__ import annotations

from typing import Any

from ..store import Obj

ZERO_DECIMAL = frozenset(
    {"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga"}
    | {"pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"}
)
THREE_DECIMAL = frozenset({"bhd", "jod", "kwd", "omr", "tnd"})
_SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£", "jpy": "¥"}
ADDRESS_FIELDS = ("city", "country", "line1", "line2", "postal_code", "state")


def decimals(currency: str) -> int:
    if currency in ZERO_DECIMAL:
        return 0
    return 3 if currency in THREE_DECIMAL else 2


def money(amount: int, currency: str) -> str:
    """`$20.00`, `¥500`, `BHD 35.200`: how Stripe's messages show amounts."""
    places = decimals(currency)
    major = f"{amount / 10**places:,.{places}f}"
    symbol = _SYMBOLS.get(currency)
    return f"{symbol}{major}" if symbol else f"{currency.upper()} {major}"


def address(values: dict[str, Any] | None) -> Obj | None:
    if values is None:
        return None
    return {name: values.get(name) for name in ADDRESS_FIELDS}


def update_metadata(obj: Obj, values: dict[str, Any]) -> None:
    """Stripe merges metadata; an empty value removes a key, `metadata=` all."""
    if "metadata" not in values:
        return
    changes = values["metadata"]
    if changes is None:
        obj["metadata"] = {}
        return
    for key, value in changes.items():
        if value == "":
            obj["metadata"].pop(key, None)
        else:
            obj["metadata"][key] = value


def assign(obj: Obj, values: dict[str, Any], names: tuple[str, ...]) -> None:
    for name in names:
        if name in values:
            obj[name] = values[name]


def ensure_currency(customer: Obj, currency: str) -> None:
    # A customer's currency is fixed by the first thing billed to them.
    if customer["currency"] is None:
        customer["currency"] = currency
