"""Platform API for the tenant registry: `/api/platform/v1/tenants/` (platform host only).

Support staff may read; operators onboard and change restaurants. Registry conflicts (a taken
slug or domain) and refused lifecycle steps are 409 problems; bad input is 400 with field
errors (unknown body fields and query parameters included, as on the restaurant API); an
unknown slug is 404.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.actors import Actor
from core.api import NoInput, StandardPagination, StrictInputSerializer, page_of, validated_query
from core.api_errors import Conflict
from shared_apps.accounts.permissions import IsOperatorOrReadOnly
from tenants import services
from tenants.models import Restaurant
from tenants.selectors import restaurant_get, restaurant_list, restaurant_primary_url


class RestaurantSerializer(serializers.Serializer[Restaurant]):
    slug = serializers.CharField()
    name = serializers.CharField()
    schema_name = serializers.CharField()
    status = serializers.ChoiceField(choices=Restaurant.Status.choices)
    plan = serializers.CharField()
    locale = serializers.CharField()
    timezone = serializers.CharField()
    currency = serializers.CharField()
    url = serializers.SerializerMethodField()
    domains = serializers.SerializerMethodField()
    created = serializers.DateTimeField()
    suspended_at = serializers.DateTimeField(allow_null=True)
    deleted_at = serializers.DateTimeField(allow_null=True)
    purge_after = serializers.DateTimeField(allow_null=True)

    def get_url(self, restaurant: Restaurant) -> str:
        return restaurant_primary_url(restaurant)

    def get_domains(self, restaurant: Restaurant) -> list[str]:
        return sorted(domain.domain for domain in restaurant.domains.all())


class OnboardSerializer(StrictInputSerializer):
    slug = serializers.CharField(max_length=63)
    name = serializers.CharField(max_length=120)
    owner_email = serializers.EmailField()
    owner_password = serializers.CharField(
        required=False,
        write_only=True,
        trim_whitespace=False,
        max_length=256,
        help_text="Without it the response carries a one-time set-password link for the owner.",
    )
    plan = serializers.CharField(required=False, default="", allow_blank=True, max_length=32)
    locale = serializers.ChoiceField(choices=Restaurant.Locale.choices, default="es")
    timezone = serializers.CharField(required=False, default="Europe/Madrid", max_length=64)
    currency = serializers.CharField(required=False, default="EUR", min_length=3, max_length=3)


class OnboardedSerializer(RestaurantSerializer):
    owner_setup_link = serializers.CharField(
        allow_null=True, help_text="Shown once, here; never stored or shown again."
    )


class SuspendSerializer(StrictInputSerializer):
    reason = serializers.CharField(required=False, default="", allow_blank=True, max_length=200)


class RenameSerializer(StrictInputSerializer):
    slug = serializers.CharField(max_length=63)


class DomainSerializer(StrictInputSerializer):
    domain = serializers.CharField(max_length=253)
    is_primary = serializers.BooleanField(default=False)


class TenantQuery(serializers.Serializer[None]):
    status = serializers.ChoiceField(choices=Restaurant.Status.choices, required=False)
    search = serializers.CharField(
        required=False, default="", allow_blank=True, help_text="part of a slug, name or domain"
    )


class DeleteQuery(serializers.Serializer[None]):
    force = serializers.BooleanField(
        default=False, help_text="required until a backup guard exists"
    )
    grace_days = serializers.IntegerField(
        required=False,
        min_value=0,
        help_text=f"days before the schema is dropped (default "
        f"{settings.DYSA_TENANT_DELETE_GRACE_DAYS})",
    )


# The page parameters of the paginated list (it has no ordering to choose).
_PAGE_PARAMS = (StandardPagination.page_query_param, StandardPagination.page_size_query_param)


def _registry_errors(call: Callable[[], Any]) -> Any:
    """Run a service call, turning registry clashes and refused steps into 409 problems."""
    try:
        return call()
    except services.RegistryConflictError as error:
        conflict = Conflict(str(error))
        conflict.problem_extra = {"errors": error.errors}  # type: ignore[attr-defined]
        raise conflict from None
    except services.LifecycleRefusedError as error:
        raise Conflict(str(error)) from None


class _RegistryApi(APIView):
    permission_classes = [IsOperatorOrReadOnly]

    def actor(self) -> Actor:
        """The operator, for the services' platform audit entries (see core.platform_actions)."""
        return Actor.platform(self.request.user)

    def restaurant(self, slug: str) -> Restaurant:
        restaurant = restaurant_get(slug=slug)
        if restaurant is None:
            raise exceptions.NotFound(f"No restaurant with slug '{slug}'.")
        return restaurant

    def detail(self, restaurant: Restaurant, code: int = status.HTTP_200_OK) -> Response:
        restaurant = Restaurant.objects.prefetch_related("domains").get(pk=restaurant.pk)
        return Response(RestaurantSerializer(restaurant).data, status=code)


_CONFLICT = OpenApiResponse(description="Slug/domain taken, or step refused (problem JSON)")
_NOT_FOUND = OpenApiResponse(description="No such restaurant (problem JSON)")


class TenantListApi(_RegistryApi):
    @extend_schema(
        operation_id="platform_v1_tenants_list",
        parameters=[TenantQuery],
        responses=page_of(RestaurantSerializer),
        tags=["tenants"],
    )
    def get(self, request: Request) -> Response:
        query = validated_query(TenantQuery, request, also=_PAGE_PARAMS)
        queryset = restaurant_list(
            status=query.get("status"), search=query["search"]
        ).prefetch_related("domains")
        paginator = StandardPagination()
        page: Any = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(RestaurantSerializer(page, many=True).data)

    @extend_schema(
        request=OnboardSerializer,
        responses={201: OnboardedSerializer, 400: OpenApiResponse(), 409: _CONFLICT},
        tags=["tenants"],
    )
    def post(self, request: Request) -> Response:
        body = OnboardSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = _registry_errors(
            lambda: services.restaurant_onboard(**body.validated_data, actor=self.actor())
        )
        restaurant = Restaurant.objects.prefetch_related("domains").get(pk=result.restaurant.pk)
        data = dict(RestaurantSerializer(restaurant).data)
        data["owner_setup_link"] = result.owner_setup_link
        return Response(data, status=status.HTTP_201_CREATED)


class TenantDetailApi(_RegistryApi):
    @extend_schema(responses={200: RestaurantSerializer, 404: _NOT_FOUND}, tags=["tenants"])
    def get(self, request: Request, slug: str) -> Response:
        return self.detail(self.restaurant(slug))

    @extend_schema(
        parameters=[DeleteQuery],
        responses={200: RestaurantSerializer, 404: _NOT_FOUND, 409: _CONFLICT},
        tags=["tenants"],
        description="Soft delete: unreachable at once, schema dropped after the grace period.",
    )
    def delete(self, request: Request, slug: str) -> Response:
        restaurant = self.restaurant(slug)
        query = validated_query(DeleteQuery, request)
        NoInput(data=request.data).is_valid(raise_exception=True)
        grace_days = query.get("grace_days")
        grace = timedelta(days=grace_days) if grace_days is not None else None
        deleted = _registry_errors(
            lambda: services.restaurant_delete(
                restaurant=restaurant, force=query["force"], grace=grace, actor=self.actor()
            )
        )
        return self.detail(deleted)


class TenantSuspendApi(_RegistryApi):
    @extend_schema(
        request=SuspendSerializer,
        responses={200: RestaurantSerializer, 404: _NOT_FOUND, 409: _CONFLICT},
        tags=["tenants"],
        description="Restaurant hosts answer 503 (webhooks too); data is kept.",
    )
    def post(self, request: Request, slug: str) -> Response:
        restaurant = self.restaurant(slug)
        body = SuspendSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        suspended = _registry_errors(
            lambda: services.restaurant_suspend(
                restaurant=restaurant, reason=body.validated_data["reason"], actor=self.actor()
            )
        )
        return self.detail(suspended)


class TenantReactivateApi(_RegistryApi):
    @extend_schema(
        request=None, responses={200: RestaurantSerializer, 404: _NOT_FOUND}, tags=["tenants"]
    )
    def post(self, request: Request, slug: str) -> Response:
        restaurant = self.restaurant(slug)
        NoInput(data=request.data).is_valid(raise_exception=True)
        return self.detail(
            services.restaurant_reactivate(restaurant=restaurant, actor=self.actor())
        )


class TenantRenameApi(_RegistryApi):
    @extend_schema(
        request=RenameSerializer,
        responses={200: RestaurantSerializer, 404: _NOT_FOUND, 409: _CONFLICT},
        tags=["tenants"],
    )
    def post(self, request: Request, slug: str) -> Response:
        restaurant = self.restaurant(slug)
        body = RenameSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        renamed = _registry_errors(
            lambda: services.restaurant_rename(
                restaurant=restaurant, new_slug=body.validated_data["slug"], actor=self.actor()
            )
        )
        return self.detail(renamed)


class TenantDomainsApi(_RegistryApi):
    @extend_schema(responses={200: DomainSerializer(many=True)}, tags=["tenants"])
    def get(self, request: Request, slug: str) -> Response:
        restaurant = self.restaurant(slug)
        return Response(
            [
                {"domain": d.domain, "is_primary": d.is_primary}
                for d in restaurant.domains.order_by("domain")
            ]
        )

    @extend_schema(
        request=DomainSerializer,
        responses={201: DomainSerializer, 400: OpenApiResponse(), 409: _CONFLICT},
        tags=["tenants"],
    )
    def post(self, request: Request, slug: str) -> Response:
        restaurant = self.restaurant(slug)
        body = DomainSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        domain = _registry_errors(
            lambda: services.domain_add(
                restaurant=restaurant,
                domain=body.validated_data["domain"],
                primary=body.validated_data["is_primary"],
                actor=self.actor(),
            )
        )
        return Response(
            {"domain": domain.domain, "is_primary": domain.is_primary},
            status=status.HTTP_201_CREATED,
        )


class TenantDomainDetailApi(_RegistryApi):
    @extend_schema(
        responses={204: None, 400: OpenApiResponse(), 404: _NOT_FOUND, 409: _CONFLICT},
        tags=["tenants"],
    )
    def delete(self, request: Request, slug: str, domain: str) -> Response:
        restaurant = self.restaurant(slug)
        NoInput(data=request.data).is_valid(raise_exception=True)
        _registry_errors(
            lambda: services.domain_remove(restaurant=restaurant, domain=domain, actor=self.actor())
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path("", TenantListApi.as_view(), name="tenant-list"),
    path("<slug:slug>/", TenantDetailApi.as_view(), name="tenant-detail"),
    path("<slug:slug>/suspend/", TenantSuspendApi.as_view(), name="tenant-suspend"),
    path("<slug:slug>/reactivate/", TenantReactivateApi.as_view(), name="tenant-reactivate"),
    path("<slug:slug>/rename/", TenantRenameApi.as_view(), name="tenant-rename"),
    path("<slug:slug>/domains/", TenantDomainsApi.as_view(), name="tenant-domains"),
    path(
        "<slug:slug>/domains/<str:domain>/",
        TenantDomainDetailApi.as_view(),
        name="tenant-domain-detail",
    ),
]
