from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class RestaurantInfoApi(APIView):
    """Public facts about the restaurant this host serves."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        responses=inline_serializer(
            "RestaurantInfo",
            {
                "name": serializers.CharField(),
                "slug": serializers.CharField(),
                "locale": serializers.CharField(),
                "timezone": serializers.CharField(),
                "currency": serializers.CharField(),
            },
        )
    )
    def get(self, request: Request) -> Response:
        tenant = request.tenant  # type: ignore[attr-defined]
        return Response(
            {
                "name": tenant.name,
                "slug": tenant.slug,
                "locale": tenant.locale,
                "timezone": tenant.timezone,
                "currency": tenant.currency,
            }
        )
