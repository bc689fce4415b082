"""Argument types shared by every list field."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Annotated, Any

import strawberry

First = Annotated[
    int | None,
    strawberry.argument(description="Return the first N objects (newest first)."),
]
After = Annotated[
    str | None,
    strawberry.argument(description="Start after the object with this cursor."),
]
Last = Annotated[
    int | None,
    strawberry.argument(
        description="Return the last N objects before the `before` cursor."
    ),
]
Before = Annotated[
    str | None,
    strawberry.argument(description="End before the object with this cursor."),
]
CreatedAfter = Annotated[
    datetime | None,
    strawberry.argument(description="Only objects created after this instant."),
]
CreatedBefore = Annotated[
    datetime | None,
    strawberry.argument(description="Only objects created before this instant."),
]


def created_filter(after: datetime | None, before: datetime | None) -> dict[str, Any]:
    """Stripe's ``created[gt]``/``created[lt]`` range for the given bounds."""
    # Stripe's seconds are whole: an upper bound of 12:00:00.5 still admits 12:00:00.
    created = {}
    if after is not None:
        created["gt"] = math.floor(_unix(after))
    if before is not None:
        created["lt"] = math.ceil(_unix(before))
    return {"created": created} if created else {}


def filters(**values: Any) -> dict[str, Any]:
    """Stripe list parameters, leaving out those the client did not give."""
    return {key: value for key, value in values.items() if value is not None}


def _unix(instant: datetime) -> float:
    # An instant without an offset is taken as UTC, the zone Stripe reports in.
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.timestamp()


ObjectId = Annotated[
    strawberry.ID, strawberry.argument(description="The Stripe id of the object.")
]
Email = Annotated[
    str | None, strawberry.argument(description="Only objects with exactly this email.")
]
Active = Annotated[
    bool | None,
    strawberry.argument(description="Only active (true) or only inactive (false)."),
]
OfCustomer = Annotated[
    strawberry.ID | None,
    strawberry.argument(description="Only objects of this customer."),
]
OfProduct = Annotated[
    strawberry.ID | None,
    strawberry.argument(description="Only objects of this product."),
]
OfPrice = Annotated[
    strawberry.ID | None,
    strawberry.argument(description="Only objects with this price."),
]
OfCharge = Annotated[
    strawberry.ID | None,
    strawberry.argument(description="Only objects of this charge."),
]
OfPaymentIntent = Annotated[
    strawberry.ID | None,
    strawberry.argument(description="Only objects of this payment intent."),
]
OfSubscription = Annotated[
    strawberry.ID | None,
    strawberry.argument(description="Only objects of this subscription."),
]
