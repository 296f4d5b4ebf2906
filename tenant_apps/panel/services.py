"""Writes of the panel's own state (per-user preferences) and the panel's audit helper."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model

from core.i18n import SUPPORTED_LANGUAGES
from shared_apps.accounts.models import User
from tenant_apps.audit.services import audit_record
from tenant_apps.panel.models import PanelPreference


@transaction.atomic
def panel_language_set(*, user: User, language: str) -> PanelPreference:
    if language not in SUPPORTED_LANGUAGES:
        raise ValidationError({"language": [f"Use one of {list(SUPPORTED_LANGUAGES)}."]})
    preference, _ = PanelPreference.objects.update_or_create(
        user=user, defaults={"language": language}
    )
    return preference


def panel_audit(
    *,
    actor: User | AnonymousUser,
    action: str,
    target: Model | None = None,
    summary: str = "",
    before: Any = None,
    after: Any = None,
) -> None:
    """Record a write made from the panel, as the API records its writes (same actions)."""
    audit_record(
        actor_id=actor.pk,
        actor_label=str(getattr(actor, "email", "")),
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=target.pk if target is not None else "",
        summary=summary or (str(target) if target is not None else ""),
        before=before,
        after=after,
    )
