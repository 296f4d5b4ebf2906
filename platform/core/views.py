"""The base of every restaurant API view: per-method permissions, cached reads, pagination
and ordering.

A view declares what each HTTP method needs:

    required_permissions = {"GET": "menu.view", "POST": "menu.manage"}

`PUBLIC` marks a method anyone may call (the public menu). A method a view does not list is
refused, so forgetting a permission fails closed. What a principal may do is answered by the
function the DYSA_PERMISSIONS_FOR setting names (the staff app's roles), so this layer knows
no app.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from functools import cache
from typing import Any, ClassVar, Final, TypeVar

from django.conf import settings
from django.db.models import Model, QuerySet
from django.utils.module_loading import import_string
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from core.actors import Actor
from core.api import (
    LIST_QUERY_PARAMS,
    StandardPagination,
    StrictOrderingFilter,
    reject_unknown_query_params,
)
from core.cache import cached

PUBLIC: Final = "public"
M = TypeVar("M", bound=Model)


@cache
def _permissions_for() -> Callable[[Any], frozenset[str]]:
    resolver: Callable[[Any], frozenset[str]] = import_string(settings.DYSA_PERMISSIONS_FOR)
    return resolver


def permissions_for(principal: Any) -> frozenset[str]:
    """What an authenticated principal (staff user or API key) may do on this host."""
    return _permissions_for()(principal)


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


class TenantApiSchema(AutoSchema):
    """Paginated lists are described as an object (page_of), so drf-spectacular would name
    their GET `..._retrieve` like the detail's; name them `..._list`."""

    def get_operation_id(self) -> str:
        operation_id = str(super().get_operation_id())
        if self.method == "GET" and getattr(self.view, "ordering_fields", None):
            return operation_id.removesuffix("_retrieve") + "_list"
        return operation_id


class TenantApiView(APIView):
    """The base of every restaurant API view (see the module docstring)."""

    schema = TenantApiSchema()
    permission_classes = [HasPermission]
    required_permissions: ClassVar[dict[str, str]] = {}
    # GET responses are cached under this resource (see core.cache for TTLs).
    cache_resource: ClassVar[str | None] = None
    ordering_fields: ClassVar[list[str]] = []
    ordering: ClassVar[list[str]] = []
    # The query parameters a paginated list filters by; any other is a 400 (see paginated).
    filter_params: ClassVar[Collection[str]] = ()

    def permission_for(self, method: str | None) -> str | None:
        if method in ("HEAD", "OPTIONS"):
            method = "GET"
        return self.required_permissions.get(method or "")

    @property
    def actor(self) -> Actor:
        """Who this request writes as (staff user or API key), for write services."""
        return Actor.of(self.request.user)

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
