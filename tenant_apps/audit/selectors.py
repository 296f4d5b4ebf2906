"""Reading the audit log."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet

from core.filters import apply_filters
from tenant_apps.audit.models import AuditEntry


class AuditFilter(django_filters.FilterSet):
    actor = django_filters.NumberFilter(field_name="actor_id")
    action = django_filters.CharFilter()
    action_prefix = django_filters.CharFilter(field_name="action", lookup_expr="startswith")
    target_type = django_filters.CharFilter()
    target_id = django_filters.CharFilter()
    request_id = django_filters.CharFilter()
    created_after = django_filters.IsoDateTimeFilter(field_name="created", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created", lookup_expr="lt")

    class Meta:
        model = AuditEntry
        fields: list[str] = []


def audit_list(*, filters: dict[str, Any] | None = None) -> QuerySet[AuditEntry]:
    return apply_filters(AuditFilter, filters, AuditEntry.objects.all())
