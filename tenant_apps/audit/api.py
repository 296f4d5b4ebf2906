"""The audit log, readable by owners and managers."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import page_of
from core.views import TenantApiView
from tenant_apps.audit.models import AuditEntry
from tenant_apps.audit.selectors import AuditFilter, audit_list


class AuditEntryOut(serializers.ModelSerializer[AuditEntry]):
    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "actor",
            "actor_label",
            "action",
            "target_type",
            "target_id",
            "summary",
            "before",
            "after",
            "request_id",
            "ip_address",
            "created",
        ]


class AuditListApi(TenantApiView):
    required_permissions = {"GET": "audit.view"}
    ordering_fields = ["created", "id"]
    ordering = ["-created", "-id"]
    filter_params = tuple(AuditFilter.base_filters)

    @extend_schema(
        tags=["audit"],
        responses=page_of(AuditEntryOut),
        parameters=[
            OpenApiParameter("actor", int),
            OpenApiParameter("action", str),
            OpenApiParameter("action_prefix", str),
            OpenApiParameter("target_type", str),
            OpenApiParameter("target_id", str),
            OpenApiParameter("request_id", str),
            OpenApiParameter("created_after", str),
            OpenApiParameter("created_before", str),
        ],
    )
    def get(self, request: Request) -> Response:
        return Response(
            self.paginated(request, audit_list(filters=request.query_params), AuditEntryOut)
        )
