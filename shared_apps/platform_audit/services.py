"""Writes of the platform audit log."""

from __future__ import annotations

import logging
from typing import Any

from core.actors import Actor, ActorKind
from shared_apps.accounts.models import User
from shared_apps.platform_audit.models import PlatformAuditEntry

audit = logging.getLogger("audit")


def platform_audit_record(
    *,
    actor: User | Actor | None,
    action: str,
    restaurant_slug: str = "",
    detail: dict[str, Any] | None = None,
) -> PlatformAuditEntry:
    """Record one platform action. Call it inside the action's transaction, so an action that
    rolls back leaves no entry and a recorded action always has one. Never put secrets in
    `detail`. `actor` is the platform account, or an `Actor` (a platform account's, or one
    that is not an account: the CLI's "cli:<OS user>@<host>", the system)."""
    if isinstance(actor, Actor):
        actor_id = actor.user_id if actor.kind is ActorKind.OPERATOR else None
        label = actor.label
    else:
        actor_id, label = getattr(actor, "pk", None), getattr(actor, "email", "") or ""
    entry = PlatformAuditEntry.objects.create(
        actor_id=actor_id,
        actor_email=label[:254],
        action=action,
        restaurant_slug=restaurant_slug,
        detail=detail or {},
    )
    audit.info(
        "platform %s",
        action,
        extra={"restaurant": restaurant_slug, "actor_id": actor_id},
    )
    return entry
