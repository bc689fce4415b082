"""What every mutation shares: user errors, checked input, keyed Stripe writes.

A mutation checks its input before any Stripe call, so a problem the caller can
fix costs no write. Problems Stripe reports that the caller can fix become
``userErrors`` with stable codes too; anything else is a GraphQL error.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from decimal import Decimal, Inexact, InvalidOperation, localcontext
from typing import Any, TypeVar

import strawberry

from resolvers.errors import BadUserInput, IdempotencyConflict, NotFound
from schema.money import THREE_DECIMAL, minor_unit_exponent

T = TypeVar("T")

METADATA_KEYS_MAX = 50
METADATA_KEY_LENGTH_MAX = 40
METADATA_VALUE_LENGTH_MAX = 500
IDEMPOTENCY_KEY_LENGTH_MAX = 255
AMOUNT_DIGITS_MAX = 8
_CURRENCY = re.compile(r"[a-z]{3}")

# Stripe's error codes that name a state the object is in, not bad input.
INVALID_STATE_CODES = frozenset(
    {
        "payment_intent_unexpected_state",
        "invoice_not_editable",
        "invoice_unexpected_state",
        "charge_already_refunded",
        "charge_already_captured",
        "status_transition_invalid",
        "resource_already_exists",
        "refund_cancel_invalid_state",
    }
)


@strawberry.type(description="A problem with the input that the caller can fix.")
class UserError:
    field: str | None = strawberry.field(
        description="The input field at fault, when there is one."
    )
    code: str = strawberry.field(
        description="A stable code: INVALID, REQUIRED, TOO_LONG, TOO_MANY, "
        "RESOURCE_MISSING, INVALID_STATE, CARD_DECLINED, PARAMETER_INVALID or "
        "IDEMPOTENCY_CONFLICT."
    )
    message: str = strawberry.field(description="What is wrong, for a person.")


class InputProblems(Exception):
    """Problems found in the input before any Stripe call."""

    def __init__(self, errors: list[UserError]) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors


@strawberry.input(description="An amount of money, in major units.")
class MoneyInput:
    decimal: str = strawberry.field(
        description='The amount in major units as a decimal string, such as "5.00" '
        'USD, "500" JPY or "35.200" BHD.'
    )
    currency: str = strawberry.field(
        description="Three-letter ISO currency code, such as usd."
    )


def minor_units(money: MoneyInput, field: str) -> tuple[int, str]:
    """The amount in the currency's minor unit, checked the way Stripe checks it."""
    currency = money.currency.lower()
    if not _CURRENCY.fullmatch(currency):
        raise problem(field, "INVALID", f"'{money.currency}' is not a currency code.")
    exponent = minor_unit_exponent(currency)
    try:
        amount = Decimal(money.decimal)
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite():
        raise problem(field, "INVALID", f"'{money.decimal}' is not a number.")
    # Bounded before any arithmetic, which would overflow on "1e999999".
    if amount.adjusted() >= AMOUNT_DIGITS_MAX:
        raise problem(field, "INVALID", "Stripe takes at most 8 digits of minor units.")
    minor = _scaled_exactly(amount, exponent)
    if amount < 0 or minor is None:
        places = f"{exponent} decimal places" if exponent else "whole units"
        raise problem(field, "INVALID", f"{currency.upper()} amounts take {places}.")
    if currency in THREE_DECIMAL and int(minor) % 10:
        raise problem(
            field,
            "INVALID",
            f"{currency.upper()} amounts must end in 0 (Stripe's rule).",
        )
    if len(str(int(minor))) > AMOUNT_DIGITS_MAX:
        raise problem(field, "INVALID", "Stripe takes at most 8 digits of minor units.")
    return int(minor), currency


def _scaled_exactly(amount: Decimal, places: int) -> Decimal | None:
    """``amount`` times 10**places, or None when that leaves a fraction.

    Rounding is trapped: "1e-999999999" or thirty digits must not become 0 or 100.
    """
    with localcontext() as context:
        context.traps[Inexact] = True
        try:
            minor = amount.scaleb(places)
        except Inexact:
            return None
    return minor if minor == minor.to_integral_value() else None


def checked_metadata(metadata: Any, field: str = "metadata") -> dict[str, str] | None:
    """Metadata within Stripe's limits: 50 keys of 40 characters, values of 500."""
    if metadata is None:
        return None
    if not isinstance(metadata, Mapping):
        raise problem(field, "INVALID", "Metadata is an object of strings.")
    errors = []
    if len(metadata) > METADATA_KEYS_MAX:
        errors.append(
            UserError(field=field, code="TOO_MANY", message="At most 50 keys.")
        )
    for key, value in metadata.items():
        errors += _metadata_entry(field, str(key), value)
    if errors:
        raise InputProblems(errors)
    return {str(k): "" if v is None else str(v) for k, v in metadata.items()}


def _metadata_entry(field: str, key: str, value: Any) -> list[UserError]:
    if len(key) > METADATA_KEY_LENGTH_MAX or "[" in key or "]" in key:
        message = f"Key '{key[:45]}' must be 1 to 40 characters without [ or ]."
        return [UserError(field=field, code="INVALID", message=message)]
    if value is not None and not isinstance(value, str | int | float):
        return [
            UserError(field=field, code="INVALID", message=f"'{key}' is not a string.")
        ]
    if len(str(value or "")) > METADATA_VALUE_LENGTH_MAX:
        return [
            UserError(
                field=field, code="TOO_LONG", message=f"'{key}' is over 500 characters."
            )
        ]
    return []


def checked_key(key: str | None) -> str | None:
    if key is not None and not 1 <= len(key) <= IDEMPOTENCY_KEY_LENGTH_MAX:
        raise problem("idempotencyKey", "INVALID", "Keys are 1 to 255 characters.")
    return key


def required_text(value: str | None, field: str) -> str:
    if value is None or not value.strip():
        raise problem(field, "REQUIRED", f"{field} must not be empty.")
    return value


def problem(field: str | None, code: str, message: str) -> InputProblems:
    return InputProblems([UserError(field=field, code=code, message=message)])


def params(**values: Any) -> dict[str, Any]:
    """Stripe parameters, leaving out what the caller did not give."""
    return {key: value for key, value in values.items() if value is not None}


async def attempt(
    write: Callable[[], Awaitable[T]],
) -> tuple[T | None, list[UserError]]:
    """Run a write; what the caller can fix comes back as user errors."""
    try:
        return await write(), []
    except InputProblems as exc:
        return None, exc.errors
    except IdempotencyConflict as exc:
        return None, [
            UserError(field="idempotencyKey", code=exc.code, message=exc.message)
        ]
    except NotFound as exc:
        return None, [
            UserError(field="id", code="RESOURCE_MISSING", message=exc.message)
        ]
    except BadUserInput as exc:
        return None, [_stripe_problem(exc)]


def _stripe_problem(exc: BadUserInput) -> UserError:
    stripe_code = exc.extensions.get("stripeCode")
    field = _camel(exc.extensions.get("param"))
    if stripe_code == "card_declined" or exc.extensions.get("declineCode"):
        decline = exc.extensions.get("declineCode", "generic_decline")
        return UserError(
            field=field, code="CARD_DECLINED", message=f"{exc.message} ({decline})"
        )
    if stripe_code in INVALID_STATE_CODES:
        return UserError(field=field, code="INVALID_STATE", message=exc.message)
    return UserError(field=field, code="PARAMETER_INVALID", message=exc.message)


def _camel(param: Any) -> str | None:
    if not param:
        return None
    head, *rest = str(param).split("[")[0].split("_")
    return head + "".join(part.title() for part in rest)
