"""Session login for the web panel: cookie session + CSRF, alongside JWT for API clients.

The panel first GETs `csrf/` (sets the csrftoken cookie and returns the token), then POSTs
credentials to `session/` with the `X-CSRFToken` header. Afterwards every unsafe request
must carry that header too (DRF's SessionAuthentication enforces it).
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth import login, logout
from django.middleware.csrf import get_token
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_protect, ensure_csrf_cookie
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from core.api import StrictInputSerializer
from shared_apps.accounts.login_limits import LoginThrottle
from shared_apps.accounts.services import user_authenticate
from tenant_apps.staff.selectors import permissions_for

security = logging.getLogger("security")
TAGS = ["auth"]


class SessionLoginIn(StrictInputSerializer):
    email = serializers.EmailField()
    password = serializers.CharField(max_length=256, write_only=True, trim_whitespace=False)


SessionOut = inline_serializer(
    "Session",
    {
        "id": serializers.IntegerField(),
        "email": serializers.EmailField(),
        "role": serializers.CharField(),
        "permissions": serializers.ListField(child=serializers.CharField()),
    },
)


def _session_body(user: Any) -> dict[str, Any]:
    return {
        "id": user.pk,
        "email": user.email,
        "role": user.role,
        "permissions": sorted(permissions_for(user)),
    }


class CsrfApi(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAGS, responses=inline_serializer("CsrfToken", {"csrf_token": serializers.CharField()})
    )
    @method_decorator(ensure_csrf_cookie)
    def get(self, request: Request) -> Response:
        return Response({"csrf_token": get_token(request._request)})


class SessionApi(APIView):
    """Log in (POST), see who is logged in (GET) and log out (DELETE) with a session cookie."""

    authentication_classes = [SessionAuthentication]
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]

    def get_authenticate_header(self, request: Request) -> str:
        # A wrong password is a 401 (DRF would say 403 without a challenge to send).
        return 'Session realm="panel"'

    def get_throttles(self) -> list[Any]:
        # Only the password check is rate limited as a login (and fails closed).
        if self.request.method == "POST":
            return [LoginThrottle()]
        self.throttle_scope = "user"
        return super().get_throttles()

    @extend_schema(tags=TAGS, responses=SessionOut)
    def get(self, request: Request) -> Response:
        if request.user is None or not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        return Response(_session_body(request.user))

    @extend_schema(tags=TAGS, request=SessionLoginIn, responses=SessionOut)
    @method_decorator(csrf_protect)
    def post(self, request: Request) -> Response:
        body = SessionLoginIn(data=request.data)
        body.is_valid(raise_exception=True)
        user = user_authenticate(
            request=request._request,
            email=body.validated_data["email"],
            password=body.validated_data["password"],
            event="panel login",
        )
        login(request._request, user)
        security.info("panel login succeeded", extra={"user_id": user.pk})
        return Response(_session_body(user))

    @extend_schema(tags=TAGS, responses={204: None})
    def delete(self, request: Request) -> Response:
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)
