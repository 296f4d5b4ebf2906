"""Platform API for support (`/api/platform/v1/support/`): cross-restaurant search, opening an
access to a restaurant's panel, and the access log (operators only)."""

from __future__ import annotations

import time
from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import StandardPagination, StrictInputSerializer, page_of, validated_query
from shared_apps.accounts.permissions import IsOperator, IsPlatformStaff
from shared_apps.support.models import SupportAccess
from shared_apps.support.selectors import support_access_list, support_search
from shared_apps.support.services import support_access_entry_url, support_access_open
from tenants.selectors import restaurant_get

TAGS = ["support"]


class SearchQuery(serializers.Serializer[Any]):
    q = serializers.CharField(min_length=2, max_length=200)


class SearchResultOut(serializers.Serializer[Any]):
    restaurant = serializers.CharField(help_text="the restaurant's slug")
    kind = serializers.ChoiceField(choices=["customer", "order", "reservation", "conversation"])
    id = serializers.IntegerField(help_text="the record's id in that restaurant")
    summary = serializers.CharField()


SearchOut = inline_serializer(
    "SupportSearch",
    {"results": SearchResultOut(many=True), "took_ms": serializers.FloatField()},
)


class SupportSearchApi(APIView):
    """Search every restaurant at once: a phone, an email, an order number or words."""

    permission_classes = [IsPlatformStaff]

    @extend_schema(tags=TAGS, parameters=[SearchQuery], responses=SearchOut)
    def get(self, request: Request) -> Response:
        query = validated_query(SearchQuery, request)
        started = time.perf_counter()
        results = support_search(q=query["q"])
        took_ms = round((time.perf_counter() - started) * 1000, 2)
        return Response({"results": SearchResultOut(results, many=True).data, "took_ms": took_ms})


class AccessIn(StrictInputSerializer):
    restaurant = serializers.CharField(max_length=63, help_text="slug")
    reason = serializers.CharField(max_length=500)
    minutes = serializers.IntegerField(required=False, help_text="default 30")


class AccessOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    restaurant = serializers.CharField(source="restaurant.slug")
    reason = serializers.CharField()
    can_write = serializers.BooleanField()
    expires_at = serializers.DateTimeField()
    entry_url = serializers.SerializerMethodField(
        help_text="open within 2 minutes, once: starts the panel session"
    )

    def get_entry_url(self, access: SupportAccess) -> str:
        return support_access_entry_url(access=access)


class SupportAccessOpenApi(APIView):
    """Open a time-limited access to a restaurant's staff panel, stating why."""

    permission_classes = [IsPlatformStaff]

    @extend_schema(tags=TAGS, request=AccessIn, responses={201: AccessOut})
    def post(self, request: Request) -> Response:
        body = AccessIn(data=request.data)
        body.is_valid(raise_exception=True)
        restaurant = restaurant_get(slug=body.validated_data["restaurant"])
        if restaurant is None:
            raise exceptions.NotFound("No such restaurant.")
        access = support_access_open(
            support_user=request.user,  # type: ignore[arg-type]  # IsPlatformStaff: a User
            restaurant=restaurant,
            reason=body.validated_data["reason"],
            minutes=body.validated_data.get("minutes"),
        )
        return Response(AccessOut(access).data, status=status.HTTP_201_CREATED)


class AccessEventOut(serializers.Serializer[Any]):
    method = serializers.CharField()
    path = serializers.CharField()
    allowed = serializers.BooleanField()
    created = serializers.DateTimeField()


class AccessLogOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    restaurant = serializers.CharField(source="restaurant.slug")
    support_email = serializers.EmailField()
    reason = serializers.CharField()
    can_write = serializers.BooleanField()
    created = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    entered_at = serializers.DateTimeField(allow_null=True)
    events = AccessEventOut(many=True)


class AccessLogQuery(serializers.Serializer[Any]):
    restaurant = serializers.CharField(required=False, max_length=63)


class SupportAccessLogApi(APIView):
    """Every support access (who, which restaurant, when, why, what was viewed or done)."""

    permission_classes = [IsOperator]

    @extend_schema(tags=TAGS, parameters=[AccessLogQuery], responses=page_of(AccessLogOut))
    def get(self, request: Request) -> Response:
        query = validated_query(
            AccessLogQuery,
            request,
            also=(StandardPagination.page_query_param, StandardPagination.page_size_query_param),
        )
        restaurant_id = None
        if query.get("restaurant"):
            restaurant = restaurant_get(slug=query["restaurant"])
            if restaurant is None:
                raise exceptions.NotFound("No such restaurant.")
            restaurant_id = restaurant.pk
        paginator = StandardPagination()
        page = paginator.paginate_queryset(
            support_access_list(restaurant_id=restaurant_id), request, view=self
        )
        return paginator.get_paginated_response(AccessLogOut(page, many=True).data)


urlpatterns = [
    path("search/", SupportSearchApi.as_view(), name="support-search"),
    path("access/", SupportAccessOpenApi.as_view(), name="support-access-open"),
    path("access-log/", SupportAccessLogApi.as_view(), name="support-access-log"),
]
