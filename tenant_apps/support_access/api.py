"""`/api/v1/support-access/` on a restaurant host: the owner's view of support's accesses to
this restaurant (never another's) and the switch that lets support change things."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import StrictInputSerializer
from core.db import tenant_connection
from core.views import HasPermission, TenantApiView
from shared_apps.support.models import SupportAccess
from shared_apps.support.selectors import support_access_list
from shared_apps.support.services import support_write_enabled
from tenant_apps.support_access.services import (
    support_access_manager,
    support_access_write_grant,
    support_write_access_switch,
)

TAGS = ["support access"]


class IsRestaurantOwner(BasePermission):
    message = "Only the restaurant's owner manages support access."

    def has_permission(self, request: Request, view: Any) -> bool:
        return support_access_manager(request._request)


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
        support_write_access_switch(actor=self.actor, enabled=body.validated_data["write_access"])
        return Response(self._body())


class SupportAccessWriteApi(TenantApiView):
    """PUT `{"write_access": bool}` on one running access: the owner lets support change
    things for this case only, or takes it back (audited). Another restaurant's access: 404."""

    permission_classes = [HasPermission, IsRestaurantOwner]
    required_permissions = {"PUT": "roles.manage"}

    @extend_schema(
        tags=TAGS,
        request=WriteAccessIn,
        responses=SupportAccessOut,
        operation_id="v1_support_access_case_update",
    )
    def put(self, request: Request, access_id: int) -> Response:
        body = WriteAccessIn(data=request.data)
        body.is_valid(raise_exception=True)
        access = support_access_write_grant(
            actor=self.actor, access_id=access_id, enabled=body.validated_data["write_access"]
        )
        if access is None:
            raise exceptions.NotFound("No such support access to this restaurant.")
        return Response(SupportAccessOut(access).data)
