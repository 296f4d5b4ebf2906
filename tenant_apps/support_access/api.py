"""`/api/v1/support-access/` on a restaurant host: the owner's view of support's accesses to
this restaurant (never another's) and the switch that lets support change things."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import StrictInputSerializer
from core.db import tenant_connection
from core.views import HasPermission, TenantApiView
from shared_apps.support.models import SupportAccess
from shared_apps.support.selectors import support_access_list
from shared_apps.support.services import support_write_enabled, support_write_set
from tenant_apps.audit.services import audit_record
from tenant_apps.staff.permissions import OWNER

TAGS = ["support access"]


class IsRestaurantOwner(BasePermission):
    message = "Only the restaurant's owner manages support access."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(
            getattr(user, "is_authenticated", False)
            and getattr(user, "role", "") == OWNER
            and getattr(user, "is_active", False)
            and getattr(request._request, "support_access", None) is None
        )


class SupportEventOut(serializers.Serializer[Any]):
    method = serializers.CharField()
    path = serializers.CharField()
    allowed = serializers.BooleanField()
    created = serializers.DateTimeField()


class SupportAccessOut(serializers.ModelSerializer[SupportAccess]):
    events = SupportEventOut(many=True)

    class Meta:
        model = SupportAccess
        fields = [
            "id", "support_email", "reason", "can_write", "created", "expires_at",
            "entered_at", "ended_at", "events",
        ]  # fmt: skip


class WriteAccessIn(StrictInputSerializer):
    write_access = serializers.BooleanField()


SupportAccessLogOut = inline_serializer(
    "SupportAccessLog",
    {"write_access": serializers.BooleanField(), "results": SupportAccessOut(many=True)},
)


class SupportAccessApi(TenantApiView):
    """GET: support's accesses to this restaurant, newest first, and whether support may write.
    PUT `{"write_access": bool}`: the owner turns support's write access on or off (audited)."""

    # The owner holds every permission; the owner check is what decides.
    permission_classes = [HasPermission, IsRestaurantOwner]
    required_permissions = {"GET": "audit.view", "PUT": "roles.manage"}

    def _body(self) -> dict[str, Any]:
        restaurant_id = tenant_connection().tenant.pk
        accesses = support_access_list(restaurant_id=restaurant_id)[:100]
        return {
            "write_access": support_write_enabled(restaurant_id=restaurant_id),
            "results": SupportAccessOut(accesses, many=True).data,
        }

    @extend_schema(tags=TAGS, responses=SupportAccessLogOut)
    def get(self, request: Request) -> Response:
        return Response(self._body())

    @extend_schema(tags=TAGS, request=WriteAccessIn, responses=SupportAccessLogOut)
    def put(self, request: Request) -> Response:
        body = WriteAccessIn(data=request.data)
        body.is_valid(raise_exception=True)
        enabled = body.validated_data["write_access"]
        user = request.user
        with transaction.atomic():
            before = support_write_enabled(restaurant_id=tenant_connection().tenant.pk)
            support_write_set(
                restaurant_id=tenant_connection().tenant.pk,
                enabled=enabled,
                changed_by_email=str(getattr(user, "email", "")),
            )
            audit_record(
                actor=self.actor,
                action="support_access.write_access",
                target_type="restaurant",
                summary="support may change things" if enabled else "support read-only",
                before={"write_access": before},
                after={"write_access": enabled},
            )
        return Response(self._body())
