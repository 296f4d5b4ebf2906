"""Writes of the panel's own state (per-user preferences)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from core.i18n import SUPPORTED_LANGUAGES
from shared_apps.accounts.models import User
from tenant_apps.panel.models import PanelPreference


@transaction.atomic
def panel_language_set(*, user: User, language: str) -> PanelPreference:
    if language not in SUPPORTED_LANGUAGES:
        raise ValidationError({"language": [f"Use one of {list(SUPPORTED_LANGUAGES)}."]})
    preference, _ = PanelPreference.objects.update_or_create(
        user=user, defaults={"language": language}
    )
    return preference
