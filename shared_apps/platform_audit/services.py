"""Writes of the platform audit log."""

from __future__ import annotations

import logging
from typing import Any

from shared_apps.accounts.models import User
from shared_apps.platform_audit.models import PlatformAuditEntry

audit = logging.getLogger("audit")


def platform_audit_record(
    *,
    actor: User | None,
    action: str,
    restaurant_slug: str = "",
    detail: dict[str, Any] | None = None,
) -> PlatformAuditEntry:
    """Record one platform action. Call it inside the action's transaction, so an action that
    rolls back leaves no entry and a recorded action always has one. Never put secrets in
    `detail`."""
    entry = PlatformAuditEntry.objects.create(
        actor=actor,
        actor_email=getattr(actor, "email", "") or "",
        action=action,
        restaurant_slug=restaurant_slug,
        detail=detail or {},
    )
    audit.info(
        "platform %s",
        action,
        extra={"restaurant": restaurant_slug, "actor_id": getattr(actor, "pk", None)},
    )
    return entry
