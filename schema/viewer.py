"""What the caller may see: its tenant and the scopes this request holds."""

from __future__ import annotations

import strawberry

from schema.base import GatewayInfo


@strawberry.type(description="The caller of this request.")
class Viewer:
    tenant: str = strawberry.field(description="The tenant the request acts for.")
    scopes: list[str] = strawberry.field(
        description="The scopes the request holds, such as customers:read: the "
        "client's scopes within what the tenant's integration allows."
    )


def viewer(info: GatewayInfo) -> Viewer:
    principal = info.context.principal
    return Viewer(tenant=principal.tenant_id, scopes=principal.scopes.names())
