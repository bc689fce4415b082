"""Saving a tenant's Stripe key, the same way for the JSON API and the page.

A key is saved only after its format is checked and Stripe has confirmed, one
``limit=1`` read per resource type, that it grants every scope selected.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import stripe

from gateway.tenants import Integration
from gateway.tenants.keys import check_key_format
from gateway.tenants.store import TenantStore, check_account
from resolvers.errors import GatewayError, Unauthenticated
from resolvers.probe import ProbeReport, probe_scopes
from resolvers.scopes import RESOURCE_LABELS, Access, Resource, Scopes

logger = logging.getLogger(__name__)

SECRET_KEY_WARNING = (
    "This is an unrestricted secret key (sk_): it can read and change "
    "everything in the Stripe account, whatever scopes are selected here. "
    "Prefer a restricted key (rk_) that grants only these scopes."
)


class AdminError(Exception):
    """A refusal shown as is: a stable code, the field at fault, an HTTP status."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        field: str | None = None,
        status: int = 400,
        probe: ProbeReport | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.status = status
        self.probe = probe


@dataclass(frozen=True)
class SavedIntegration:
    integration: Integration
    probe: ProbeReport
    warnings: list[str] = field(default_factory=list)


def valid(check: Callable[[str], str], value: str, field: str) -> str:
    """``check(value)``, its ValueError becoming an AdminError on ``field``."""
    try:
        return check(value)
    except ValueError as exc:
        raise AdminError(f"invalid_{field}", str(exc), field=field) from None


def label(resource: Resource) -> str:
    return RESOURCE_LABELS[resource][0]


def scopes_from_levels(levels: Mapping[str, str]) -> Scopes:
    """Scopes from ``{"customers": "read", ...}``; levels none, read or write."""
    granted: dict[Resource, Access] = {}
    for name, level in levels.items():
        try:
            resource = Resource(name)
        except ValueError:
            raise AdminError(
                "unknown_resource",
                f"'{name}' is not a resource type; use one of "
                + ", ".join(r.value for r in Resource),
                field=f"scopes.{name}",
            ) from None
        granted[resource] = _access(resource, level)
    return Scopes(granted).without_none()


def _access(resource: Resource, level: object) -> Access:
    if isinstance(level, str) and level.upper() in Access.__members__:
        return Access[level.upper()]
    raise AdminError(
        "invalid_access",
        f"the access to {label(resource)} must be none, read or write",
        field=f"scopes.{resource.value}",
    )


def levels_of(scopes: Scopes) -> dict[str, str]:
    """Every resource type's access by name, ``none`` included."""
    return {r.value: scopes.access(r).name.lower() for r in Resource}


async def save_stripe_integration(
    store: TenantStore,
    client: stripe.StripeClient,
    tenant_id: str,
    key: str,
    scopes: Scopes,
    account: str | None,
) -> SavedIntegration:
    """Check, probe and store a key; AdminError, with nothing written, if refused."""
    kind = _checked_kind(key)
    _check_request(store, scopes, account)
    if await store.get_tenant(tenant_id) is None:
        raise tenant_not_found(tenant_id)

    report = await _probe(client, key, account, scopes)
    if report.missing:
        raise _missing_scopes(report)

    integration = await store.save_integration(tenant_id, key, scopes, account)
    logger.info("tenant %s: saved a Stripe %s key", tenant_id, kind)
    warnings = [SECRET_KEY_WARNING] if kind == "secret" else []
    return SavedIntegration(integration, report, warnings)


def tenant_not_found(tenant_id: str) -> AdminError:
    return AdminError(
        "tenant_not_found", f"there is no tenant '{tenant_id}'", status=404
    )


def _checked_kind(key: str) -> str:
    try:
        return check_key_format(key)
    except ValueError as exc:
        raise AdminError("invalid_key_format", str(exc), field="key") from None


def _check_request(store: TenantStore, scopes: Scopes, account: str | None) -> None:
    try:
        check_account(account)
    except ValueError as exc:
        raise AdminError("invalid_account", str(exc), field="account") from None
    if not scopes.levels:
        raise AdminError(
            "no_scopes",
            "select Read or Write for at least one resource type",
            field="scopes",
        )
    if not store.has_master_key:
        raise AdminError(
            "no_master_key",
            "GATEWAY_SECRET_KEY is not set, so keys cannot be stored encrypted",
            status=503,
        )


async def _probe(
    client: stripe.StripeClient, key: str, account: str | None, scopes: Scopes
) -> ProbeReport:
    try:
        return await probe_scopes(client, key, account, scopes)
    except Unauthenticated:
        raise AdminError(
            "key_refused",
            "Stripe refused this key: check that it is complete, not revoked, "
            "and of the right mode (test or live)",
            field="key",
            status=422,
        ) from None
    except GatewayError as exc:
        raise AdminError(
            "stripe_unavailable",
            f"Stripe could not check the key: {exc.message}",
            status=502,
        ) from None


def _missing_scopes(report: ProbeReport) -> AdminError:
    missing = ", ".join(label(r) for r in report.missing)
    return AdminError(
        "missing_scopes",
        f"the key lacks permission for {missing}; grant it on the key in the "
        "Stripe Dashboard or select less. Nothing was saved",
        field="scopes",
        status=422,
        probe=report,
    )
