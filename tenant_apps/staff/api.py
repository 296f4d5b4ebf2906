"""Staff accounts, roles, the permission catalogue and API keys (owner-managed)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from core.actors import Actor
from core.api import (
    LIST_QUERY_PARAMS,
    StrictInputSerializer,
    page_of,
    results_of,
    validated_query,
)
from core.db import current_schema_name
from core.views import TenantApiView
from shared_apps.accounts.models import User
from tenant_apps.staff.permissions import PERMISSIONS, ROLES
from tenant_apps.staff.selectors import role_list, staff_get, staff_list
from tenant_apps.staff.services import (
    api_key_create,
    api_key_revoke,
    role_update,
    staff_create,
    staff_set_password,
    staff_update,
)
from tenants import secrets

TAGS = ["staff"]


class StaffOut(serializers.ModelSerializer[User]):
    class Meta:
        model = User
        fields = ["id", "email", "full_name", "role", "is_active", "date_joined", "last_login"]


class StaffIn(StrictInputSerializer):
    email = serializers.EmailField()
    full_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    role = serializers.ChoiceField(choices=ROLES)
    password = serializers.CharField(
        max_length=128, required=False, write_only=True, trim_whitespace=False
    )


class StaffUpdateIn(StrictInputSerializer):
    full_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    role = serializers.ChoiceField(choices=ROLES, required=False)
    is_active = serializers.BooleanField(required=False)


class PasswordIn(StrictInputSerializer):
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)


class RoleIn(StrictInputSerializer):
    permissions = serializers.ListField(
        child=serializers.ChoiceField(sorted(PERMISSIONS)), max_length=len(PERMISSIONS)
    )


class StaffQuery(serializers.Serializer[Any]):
    role = serializers.ChoiceField(choices=ROLES, required=False)
    active = serializers.BooleanField(required=False, allow_null=True, default=None)


class ApiKeyIn(StrictInputSerializer):
    name = serializers.CharField(max_length=100)


class RoleOut(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    permissions = serializers.ListField(child=serializers.CharField())
    editable = serializers.BooleanField()


class ApiKeyOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    prefix = serializers.CharField()
    created = serializers.DateTimeField()
    last_used = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)


class ApiKeyCreatedOut(ApiKeyOut):
    key = serializers.CharField(help_text="The key itself: shown this once, never again.")


def _api_key_body(key: Any) -> dict[str, Any]:
    return {
        "id": key.pk,
        "name": key.name,
        "prefix": key.prefix,
        "created": key.created,
        "last_used": key.last_used,
        "revoked_at": key.revoked_at,
    }


def _staff_actor(request: Request) -> Actor:
    """The staff account asking; an API key never manages staff."""
    if not isinstance(request.user, User):
        raise PermissionDenied()
    return Actor.staff(request.user)


class StaffListApi(TenantApiView):
    required_permissions = {"GET": "staff.view", "POST": "staff.manage"}
    ordering_fields = ["email", "date_joined", "role"]
    ordering = ["email"]
    filter_params = ("role", "active")

    @extend_schema(tags=TAGS, responses=page_of(StaffOut), parameters=[StaffQuery])
    def get(self, request: Request) -> Response:
        query = validated_query(StaffQuery, request, also=LIST_QUERY_PARAMS)
        return Response(
            self.paginated(
                request, staff_list(role=query.get("role"), active=query.get("active")), StaffOut
            )
        )

    @extend_schema(tags=TAGS, request=StaffIn, responses={201: StaffOut})
    def post(self, request: Request) -> Response:
        body = StaffIn(data=request.data)
        body.is_valid(raise_exception=True)
        user = staff_create(actor=_staff_actor(request), **body.validated_data)
        return Response(StaffOut(user).data, status=status.HTTP_201_CREATED)


class StaffDetailApi(TenantApiView):
    required_permissions = {"GET": "staff.view", "PATCH": "staff.manage"}

    @extend_schema(tags=TAGS, responses=StaffOut)
    def get(self, request: Request, user_id: int) -> Response:
        return Response(StaffOut(self.found(staff_get(user_id=user_id))).data)

    @extend_schema(tags=TAGS, request=StaffUpdateIn, responses=StaffOut)
    def patch(self, request: Request, user_id: int) -> Response:
        user = self.found(staff_get(user_id=user_id))
        body = StaffUpdateIn(data=request.data)
        body.is_valid(raise_exception=True)
        updated = staff_update(actor=_staff_actor(request), user=user, changes=body.validated_data)
        return Response(StaffOut(updated).data)


class StaffPasswordApi(TenantApiView):
    required_permissions = {"POST": "staff.manage"}

    @extend_schema(tags=TAGS, request=PasswordIn, responses={204: None})
    def post(self, request: Request, user_id: int) -> Response:
        user = self.found(staff_get(user_id=user_id))
        body = PasswordIn(data=request.data)
        body.is_valid(raise_exception=True)
        staff_set_password(
            actor=_staff_actor(request), user=user, password=body.validated_data["password"]
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class RoleListApi(TenantApiView):
    required_permissions = {"GET": "staff.view"}

    @extend_schema(
        tags=TAGS,
        responses=results_of("Roles", RoleOut(many=True)),
    )
    def get(self, request: Request) -> Response:
        return Response({"results": role_list()})


class RoleDetailApi(TenantApiView):
    required_permissions = {"PATCH": "roles.manage"}

    @extend_schema(tags=TAGS, request=RoleIn, responses=RoleOut)
    def patch(self, request: Request, code: str) -> Response:
        if code not in ROLES:
            raise NotFound("No such role.")
        body = RoleIn(data=request.data)
        body.is_valid(raise_exception=True)
        role_update(actor=self.actor, code=code, permissions=body.validated_data["permissions"])
        return Response(next(r for r in role_list() if r["code"] == code))


class PermissionCatalogueApi(TenantApiView):
    required_permissions = {"GET": "staff.view"}

    @extend_schema(
        tags=TAGS,
        responses=results_of(
            "Permissions",
            inline_serializer(
                "Permission",
                {"code": serializers.CharField(), "description": serializers.CharField()},
                many=True,
            ),
        ),
    )
    def get(self, request: Request) -> Response:
        return Response(
            {"results": [{"code": code, "description": text} for code, text in PERMISSIONS.items()]}
        )


class ApiKeyListApi(TenantApiView):
    """Integration keys. The plaintext is shown once, in the creation response."""

    required_permissions = {"GET": "api_keys.manage", "POST": "api_keys.manage"}

    @extend_schema(tags=TAGS, responses=results_of("ApiKeys", ApiKeyOut(many=True)))
    def get(self, request: Request) -> Response:
        keys = secrets.api_key_list(schema_name=current_schema_name())
        return Response({"results": [_api_key_body(key) for key in keys]})

    @extend_schema(tags=TAGS, request=ApiKeyIn, responses={201: ApiKeyCreatedOut})
    def post(self, request: Request) -> Response:
        body = ApiKeyIn(data=request.data)
        body.is_valid(raise_exception=True)
        schema_name = current_schema_name()
        key_id, plaintext = api_key_create(actor=self.actor, name=body.validated_data["name"])
        key = next(k for k in secrets.api_key_list(schema_name=schema_name) if k.pk == key_id)
        return Response({**_api_key_body(key), "key": plaintext}, status=status.HTTP_201_CREATED)


class ApiKeyDetailApi(TenantApiView):
    required_permissions = {"DELETE": "api_keys.manage"}

    @extend_schema(tags=TAGS, responses={204: None})
    def delete(self, request: Request, key_id: int) -> Response:
        if not api_key_revoke(actor=self.actor, key_id=key_id):
            raise NotFound("No such active API key in this restaurant.")
        return Response(status=status.HTTP_204_NO_CONTENT)
