"""Audit helpers for API views that write (interim: ADR 0008 moves auditing into services)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import Model
from rest_framework import serializers, status
from rest_framework.response import Response

from core.views import TenantApiView
from tenant_apps.audit.services import audit_record

M = TypeVar("M", bound=Model)


class AuditedApiView(TenantApiView):
    """A restaurant API view whose writes leave an audit entry."""

    def audited_update(
        self,
        action: str,
        target: M,
        *,
        snapshot: type[serializers.BaseSerializer[Any]],
        update: Callable[[], M],
        summary: str = "",
    ) -> Response:
        """Update through a service and audit the object before and after, in one transaction
        so the change and its audit entry commit together or not at all.

        `update` returns the object as it now is (the service's own instance, or a fresh read
        when the service replaced related rows): that is what the response and the audit show.
        """
        with transaction.atomic():
            before = snapshot(target).data
            updated = update()
            after = snapshot(updated).data
            self.audit(action, updated, before=before, after=after, summary=summary)
        return Response(after)

    def audited_delete(
        self,
        action: str,
        target: Model,
        *,
        snapshot: type[serializers.BaseSerializer[Any]],
        delete: Callable[[], object],
        summary_field: str | None = None,
    ) -> Response:
        """Delete through a service and audit what was deleted, in one transaction."""
        target_type, target_id = target._meta.label_lower, target.pk
        with transaction.atomic():
            before = snapshot(target).data
            delete()
            self.audit(
                action,
                target_type=target_type,
                target_id=target_id,
                before=before,
                summary=str(before[summary_field]) if summary_field else "",
            )
        return Response(status=status.HTTP_204_NO_CONTENT)

    def audit(
        self,
        action: str,
        target: Model | None = None,
        *,
        target_type: str = "",
        target_id: object = "",
        before: Any = None,
        after: Any = None,
        summary: str = "",
    ) -> None:
        """Record a write by the authenticated principal (call inside the write's
        transaction)."""
        user = self.request.user
        is_api_key = getattr(user, "is_api_key", False)
        audit_record(
            actor_id=None if is_api_key else getattr(user, "pk", None),
            actor_label=str(
                getattr(user, "label", "") if is_api_key else getattr(user, "email", "")
            ),
            action=action,
            target_type=target_type or (target._meta.label_lower if target is not None else ""),
            target_id=target_id or (target.pk if target is not None else ""),
            summary=summary or (str(target) if target is not None else ""),
            before=before,
            after=after,
        )
