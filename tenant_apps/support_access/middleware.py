"""Sets `request.support_access` on restaurant hosts while a support session lasts, refuses
writes unless the owner allowed them, and logs every request support makes."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.template.response import SimpleTemplateResponse

from core.api_errors import problem_response, wants_json
from core.db import current_schema_name, tenant_connection
from shared_apps.support.services import (
    support_access_active,
    support_access_event_record,
)
from tenant_apps.support_access.session import (
    SESSION_KEY,
    SupportAccessContext,
    support_user_act,
    support_user_retire,
)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Static files and health checks are not "viewing the restaurant".
_NOT_LOGGED = ("/static/", "/health/", "/favicon")
# Logging out is always allowed (the panel's form, the API session's DELETE).
_LOGOUTS = (("POST", "/panel/logout/"), ("DELETE", "/api/v1/auth/session/"))


class SupportAccessMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.support_access = None  # type: ignore[attr-defined]
        session = getattr(request, "session", None)
        # No session cookie, no support session: the session is left untouched, so answers
        # that do not depend on it (the cached public menu) get no `Vary: Cookie`.
        if (
            current_schema_name() == "public"
            or session is None
            or settings.SESSION_COOKIE_NAME not in request.COOKIES
            or SESSION_KEY not in session
        ):
            return self.get_response(request)
        access = support_access_active(
            access_id=int(session[SESSION_KEY]), restaurant_id=tenant_connection().tenant.pk
        )
        if access is None:
            # Expired, ended, or a session cookie carried to another restaurant: the session
            # ends here and the request goes on as anonymous.
            support_user_retire(user=getattr(request, "user", None))
            logout(request)
            return self.get_response(request)
        context = SupportAccessContext(
            id=access.pk,
            support_email=access.support_email,
            reason=access.reason,
            expires_at=access.expires_at,
            # The owner's grant for this case (the restaurant-wide switch sets it when the
            # access opens, and turning the switch off clears it on running accesses).
            can_write=access.can_write,
        )
        request.support_access = context  # type: ignore[attr-defined]
        support_user_act(user=request.user, can_write=context.can_write)
        allowed = (
            request.method in SAFE_METHODS
            or context.can_write
            or (request.method, request.path) in _LOGOUTS
        )
        if not request.path.startswith(_NOT_LOGGED):
            support_access_event_record(
                access_id=access.pk,
                method=request.method or "GET",
                path=request.get_full_path(),
                allowed=allowed,
            )
        if not allowed:
            return _read_only_refusal(request)
        return self.get_response(request)


def _read_only_refusal(request: HttpRequest) -> HttpResponse:
    detail = "Support access to this restaurant is read-only: its owner has not allowed changes."
    if wants_json(request):
        return problem_response(403, detail)
    response = SimpleTemplateResponse(
        "support_access/read_only.html", {"detail": detail}, status=403
    )
    return response.render()
