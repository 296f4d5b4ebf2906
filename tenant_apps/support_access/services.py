"""The owner's side of support access, shared by the API (`/api/v1/support-access/`) and the
panel page (`/panel/support-access/`): who may manage it, the restaurant-wide switch and the
grant for one case. Each write records its entry in the restaurant's audit log."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest

from core.actors import Actor
from core.db import tenant_connection
from shared_apps.support.models import SupportAccess
from shared_apps.support.services import (
    support_access_write_change,
    support_write_enabled,
    support_write_set,
)
from tenant_apps.audit.services import audit_record
from tenant_apps.staff.permissions import OWNER


def support_access_manager(request: HttpRequest) -> bool:
    """Only the restaurant's active owner, in their own session (never support acting as
    staff), sees support's accesses and decides whether support may change things."""
    user: Any = request.user
    return bool(
        getattr(user, "is_authenticated", False)
        and getattr(user, "role", "") == OWNER
        and getattr(user, "is_active", False)
        and getattr(request, "support_access", None) is None
    )


def _require_owner(actor: Actor) -> None:
    if actor.role != OWNER:
        raise PermissionDenied("Only the restaurant's owner manages support access.")


def support_write_access_switch(*, actor: Actor, enabled: bool) -> bool:
    """The restaurant-wide switch: may support change things in the accesses it opens from now
    on? Off also takes write access from running accesses. Returns the new state."""
    _require_owner(actor)
    restaurant_id = tenant_connection().tenant.pk
    with transaction.atomic():
        before = support_write_enabled(restaurant_id=restaurant_id)
        support_write_set(
            restaurant_id=restaurant_id,
            enabled=enabled,
            changed_by_email=actor.label,
        )
        audit_record(
            actor=actor,
            action="support_access.write_access",
            target_type="restaurant",
            summary="support may change things" if enabled else "support read-only",
            before={"write_access": before},
            after={"write_access": enabled},
        )
    return enabled


def support_access_write_grant(
    *, actor: Actor, access_id: int, enabled: bool
) -> SupportAccess | None:
    """Grant (or take back) write access for one running case of this restaurant; None when
    the access is not this restaurant's (the caller answers 404)."""
    _require_owner(actor)
    with transaction.atomic():
        access = support_access_write_change(
            access_id=access_id, restaurant_id=tenant_connection().tenant.pk, can_write=enabled
        )
        if access is None:
            return None
        audit_record(
            actor=actor,
            action="support_access.write_grant",
            target_type="support_access",
            target_id=access.pk,
            summary=f"{access.support_email}: {'read and write' if enabled else 'read only'}",
            after={"write_access": enabled},
        )
    return access
