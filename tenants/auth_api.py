"""Token endpoints, mounted at `auth/` under both `/api/v1/` and `/api/platform/v1/`.

The same views serve both hosts: the schema the routing middleware activated decides whose
users log in and whose key signs.
"""

from __future__ import annotations

import logging

from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import StrictInputSerializer
from core.db import current_schema_name
from shared_apps.accounts.login_limits import LoginThrottle
from shared_apps.accounts.services import (
    user_authenticate,
    user_password_set_with_token,
    user_second_factor_check,
)
from tenants.auth import (
    JWTAuthentication,
    TokenPair,
    token_pair_issue,
    token_pair_refresh,
    token_revoke,
)

security = logging.getLogger("security")


class CredentialsSerializer(StrictInputSerializer):
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True, trim_whitespace=False, max_length=256)


class PlatformCredentialsSerializer(CredentialsSerializer):
    otp = serializers.CharField(
        max_length=16, help_text="The authenticator's current code, or an unused recovery code"
    )


class RefreshSerializer(StrictInputSerializer):
    refresh = serializers.CharField(max_length=4096)


class TokenPairSerializer(serializers.Serializer[TokenPair]):
    access = serializers.CharField()
    refresh = serializers.CharField()


_UNAUTHORIZED = OpenApiResponse(description="Invalid credentials or token (problem JSON)")


class _TokenEndpoint(APIView):
    """Takes credentials in the body, so a stale Authorization header must not get in the way;
    failures are 401 with a Bearer challenge, not DRF's 403 for unauthenticated views."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def get_authenticate_header(self, request: Request) -> str:
        return JWTAuthentication().authenticate_header(request)


class TokenObtainApi(_TokenEndpoint):
    """Log in with email and password; returns an access and a refresh token."""

    throttle_classes = [LoginThrottle]

    @extend_schema(
        request=CredentialsSerializer,
        responses={200: TokenPairSerializer, 401: _UNAUTHORIZED, 429: OpenApiResponse()},
        tags=["auth"],
        description="On the platform host the body also needs `otp` (two-factor code).",
    )
    def post(self, request: Request) -> Response:
        # Every platform account has two-factor: its token needs the code too.
        platform = current_schema_name() == "public"
        serializer = PlatformCredentialsSerializer if platform else CredentialsSerializer
        credentials = serializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        user = user_authenticate(
            request=request._request,
            email=credentials.validated_data["email"],
            password=credentials.validated_data["password"],
        )
        if platform:
            user_second_factor_check(
                request=request._request, user=user, code=credentials.validated_data["otp"]
            )
        security.info("login succeeded", extra={"user_id": user.pk})
        return Response(TokenPairSerializer(token_pair_issue(user=user)).data)


class TokenRefreshApi(_TokenEndpoint):
    """Trade a refresh token for a new pair; the refresh token given is used up."""

    @extend_schema(
        request=RefreshSerializer,
        responses={200: TokenPairSerializer, 401: _UNAUTHORIZED},
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        body = RefreshSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        pair = token_pair_refresh(refresh=body.validated_data["refresh"])
        return Response(TokenPairSerializer(pair).data)


class TokenRevokeApi(_TokenEndpoint):
    """Log out: the refresh token's session ends, its access tokens included."""

    @extend_schema(
        request=RefreshSerializer,
        responses={204: OpenApiResponse(description="Session ended"), 401: _UNAUTHORIZED},
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        body = RefreshSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        token_revoke(refresh=body.validated_data["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordSetSerializer(StrictInputSerializer):
    uid = serializers.CharField(max_length=64)
    token = serializers.CharField(max_length=128)
    password = serializers.CharField(write_only=True, trim_whitespace=False, max_length=256)


class PasswordSetApi(_TokenEndpoint):
    """Spend a one-time set-password link (`uid` and `token` are its last two path parts)."""

    throttle_classes = [LoginThrottle]

    @extend_schema(
        request=PasswordSetSerializer,
        responses={204: OpenApiResponse(description="Password set"), 400: OpenApiResponse()},
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        body = PasswordSetSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user_password_set_with_token(
            uidb64=body.validated_data["uid"],
            token=body.validated_data["token"],
            password=body.validated_data["password"],
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeSerializer(serializers.Serializer[dict[str, object]]):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    role = serializers.CharField()
    schema = serializers.CharField()


class MeApi(APIView):
    """Who the presented credentials belong to, on this host."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: MeSerializer, 401: _UNAUTHORIZED}, tags=["auth"])
    def get(self, request: Request) -> Response:
        user = request.user
        return Response(
            MeSerializer(
                {
                    "id": user.pk,
                    "email": getattr(user, "email", ""),
                    "role": getattr(user, "role", ""),
                    "schema": current_schema_name(),
                }
            ).data
        )


urlpatterns = [
    path("me/", MeApi.as_view(), name="auth-me"),
    path("password/set/", PasswordSetApi.as_view(), name="auth-password-set"),
    path("token/", TokenObtainApi.as_view(), name="auth-token"),
    path("token/refresh/", TokenRefreshApi.as_view(), name="auth-token-refresh"),
    path("token/revoke/", TokenRevokeApi.as_view(), name="auth-token-revoke"),
]
