"""Value conversions that every type relies on."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from schema.base import parse_enum, timestamp
from schema.invoices import InvoiceStatus
from schema.money import to_decimal


@pytest.mark.parametrize(
    ("amount", "currency", "decimal"),
    [
        (500, "usd", "5.00"),
        (5, "usd", "0.05"),
        (-1999, "eur", "-19.99"),
        (500, "jpy", "500"),
        (35200, "bhd", "35.200"),
        (35205, "BHD", "35.205"),
        (0, "usd", "0.00"),
        (99999999, "usd", "999999.99"),
    ],
)
def test_decimal_knows_each_currencys_minor_unit(
    amount: int, currency: str, decimal: str
) -> None:
    assert to_decimal(amount, currency) == decimal


def test_timestamps_are_utc() -> None:
    assert timestamp(0) == datetime(1970, 1, 1, tzinfo=UTC)
    assert timestamp(None) is None


def test_a_status_stripe_adds_later_reads_as_unknown() -> None:
    assert parse_enum(InvoiceStatus, "paid") is InvoiceStatus.PAID
    assert parse_enum(InvoiceStatus, "partially_paid") is InvoiceStatus.UNKNOWN
