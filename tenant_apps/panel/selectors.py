"""Reads of the panel's own state."""

from __future__ import annotations

from shared_apps.accounts.models import User
from tenant_apps.panel.models import PanelPreference


def panel_language_get(*, user: User, default: str) -> str:
    """The language the user chose for the panel, else `default` (the restaurant's locale)."""
    preference = PanelPreference.objects.filter(user=user).only("language").first()
    return preference.language if preference is not None else default
