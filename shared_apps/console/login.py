"""Console login in two steps (password, then the two-factor code), throttled per IP and locked
per account after repeated failures. The session is only logged in after the second step, so
no state between the two steps is an authenticated session."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from rest_framework import exceptions

from shared_apps.accounts.models import User
from shared_apps.accounts.services import PLATFORM_ROLES, user_authenticate
from shared_apps.accounts.two_factor import two_factor_verify
from shared_apps.landing.limits import client_ip, limit_clear, limit_count, limit_hit, limit_key

security = logging.getLogger("security")

PENDING_KEY = "console_pending_login"
PENDING_SECONDS = 300
IP_ATTEMPTS_PER_MINUTE = 10


class LoginRefusedError(Exception):
    """A login step failed; the message is safe to show (it never says which part was wrong)."""


@dataclass(frozen=True)
class PendingLogin:
    user_id: int
    started: float


def _key(kind: str, value: str) -> str:
    return limit_key(f"console_login_{kind}", value)


def _check_ip(request: HttpRequest) -> None:
    if limit_hit(_key("ip", client_ip(request)), 60) > IP_ATTEMPTS_PER_MINUTE:
        raise LoginRefusedError("Too many attempts from here. Wait a minute and try again.")


def _locked(email: str) -> bool:
    failures = limit_count(_key("fail", email.lower()))
    return failures >= int(settings.DYSA_CONSOLE_LOCKOUT_ATTEMPTS)


def _failed(email: str) -> None:
    limit_hit(_key("fail", email.lower()), settings.DYSA_CONSOLE_LOCKOUT_SECONDS)


_LOCKED = "This account is locked after too many failed attempts. Try again later."


def console_password_step(*, request: HttpRequest, email: str, password: str) -> PendingLogin:
    """Check email and password of a platform account; the caller keeps the pending login."""
    _check_ip(request)
    if _locked(email):
        security.warning("console login refused: locked")
        raise LoginRefusedError(_LOCKED)
    try:
        user = user_authenticate(
            request=request, email=email, password=password, event="console login"
        )
    except exceptions.Throttled:
        raise LoginRefusedError("Too many attempts. Wait a minute and try again.") from None
    except exceptions.AuthenticationFailed:
        _failed(email)
        raise LoginRefusedError("Invalid email or password.") from None
    if user.role not in PLATFORM_ROLES:
        _failed(email)
        raise LoginRefusedError("Invalid email or password.")
    return PendingLogin(user_id=user.pk, started=time.time())


def console_code_step(*, request: HttpRequest, pending: PendingLogin, code: str) -> User:
    """Check the two-factor code for a pending login; the user to log in, or LoginRefusedError."""
    _check_ip(request)
    if time.time() - pending.started > PENDING_SECONDS:
        raise LoginRefusedError("That took too long. Start again.")
    user = User.objects.filter(pk=pending.user_id, is_active=True).first()
    if user is None:
        raise LoginRefusedError("Start again.")
    if _locked(user.email):
        raise LoginRefusedError(_LOCKED)
    if not two_factor_verify(user=user, code=code):
        _failed(user.email)
        raise LoginRefusedError("That code is not valid.")
    limit_clear(_key("fail", user.email.lower()))
    return user
