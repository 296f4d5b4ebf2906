from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class PlatformInfoApi(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        responses=inline_serializer(
            "PlatformInfo",
            {"name": serializers.CharField(), "base_domain": serializers.CharField()},
        )
    )
    def get(self, request: Request) -> Response:
        return Response({"name": "dysa", "base_domain": settings.DYSA_BASE_DOMAIN})
