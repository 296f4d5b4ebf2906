"""Absolute lifetime of cookie sessions (panel, console, Django admin).

Django's session expiry slides: every save pushes it back. The login time is written into the
session when a user logs in, and a session older than DYSA_SESSION_MAX_SECONDS is flushed on
its next request, however active it has been. API token sessions have the same bound in their
own claims (tenants.auth). A session without a login time (made before this existed) is
treated as expired.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Final

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

LOGIN_AT_KEY: Final = "dysa_login_at"


@receiver(user_logged_in, dispatch_uid="dysa-session-login-time")
def _remember_login_time(sender: Any, request: HttpRequest | None, **_kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[LOGIN_AT_KEY] = int(time.time())


def session_expired(request: HttpRequest) -> bool:
    if "_auth_user_id" not in request.session:
        return False
    started = request.session.get(LOGIN_AT_KEY)
    if not isinstance(started, int):
        return True
    return bool(time.time() - started > settings.DYSA_SESSION_MAX_SECONDS)


class SessionLifetimeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Without a session cookie there is nothing to end (and reading the session would add
        # `Vary: Cookie` to answers that do not depend on one).
        has_cookie = settings.SESSION_COOKIE_NAME in request.COOKIES
        if has_cookie and hasattr(request, "session") and session_expired(request):
            logout(request)
        return self.get_response(request)
