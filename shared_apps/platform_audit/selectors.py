"""Reads of the platform audit log."""

from __future__ import annotations

from django.db.models import QuerySet

from shared_apps.platform_audit.models import PlatformAuditEntry


def platform_audit_list(
    *, restaurant_slug: str = "", action: str = ""
) -> QuerySet[PlatformAuditEntry]:
    entries = PlatformAuditEntry.objects.all()
    if restaurant_slug:
        entries = entries.filter(restaurant_slug=restaurant_slug)
    if action:
        entries = entries.filter(action=action)
    return entries
