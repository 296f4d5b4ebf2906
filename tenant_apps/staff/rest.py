"""The base of every restaurant API view: per-method permissions, cached reads, pagination,
ordering and the audit trail of writes.

A view declares what each HTTP method needs:

    required_permissions = {"GET": "menu.view", "POST": "menu.manage"}

`PUBLIC` marks a method anyone may call (the public menu). A method a view does not list is
refused, so forgetting a permission fails closed.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, ClassVar, Final, TypeVar

from django.db import transaction
from django.db.models import Model, QuerySet
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import (
    LIST_QUERY_PARAMS,
    StandardPagination,
    StrictOrderingFilter,
    reject_unknown_query_params,
)
from config.cache import cached
from tenant_apps.audit.services import audit_record
from tenant_apps.staff.schema import TenantApiSchema
from tenant_apps.staff.selectors import permissions_for

PUBLIC: Final = "public"
M = TypeVar("M", bound=Model)


class HasPermission(BasePermission):
    message = "Your role does not allow this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        required = getattr(view, "permission_for", lambda _m: None)(request.method)
        if required == PUBLIC:
            return True
        user = request.user
        if required is None or user is None or not getattr(user, "is_authenticated", False):
            return False
        return required in permissions_for(user)


class TenantApiView(APIView):
    schema = TenantApiSchema()
    permission_classes = [HasPermission]
    required_permissions: ClassVar[dict[str, str]] = {}
    # GET responses are cached under this resource (see config.cache for TTLs).
    cache_resource: ClassVar[str | None] = None
    ordering_fields: ClassVar[list[str]] = []
    ordering: ClassVar[list[str]] = []
    # The query parameters a paginated list filters by; any other is a 400 (see paginated).
    filter_params: ClassVar[Collection[str]] = ()

    def permission_for(self, method: str | None) -> str | None:
        if method in ("HEAD", "OPTIONS"):
            method = "GET"
        return self.required_permissions.get(method or "")

    def found(self, obj: M | None) -> M:
        if obj is None:
            raise NotFound("No such object in this restaurant.")
        return obj

    def cached_data(self, request: Request, producer: Callable[[], Any]) -> Any:
        if self.cache_resource is None:
            return producer()
        return cached(self.cache_resource, f"api:{request.get_full_path()}", producer)

    def paginated(
        self,
        request: Request,
        queryset: QuerySet[Any],
        serializer_class: type[serializers.BaseSerializer[Any]],
    ) -> Any:
        reject_unknown_query_params(request, {*LIST_QUERY_PARAMS, *self.filter_params})
        queryset = StrictOrderingFilter().filter_queryset(request, queryset, self)
        paginator = StandardPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(serializer_class(page, many=True).data).data

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
