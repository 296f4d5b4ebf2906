"""Console login in two steps (password, then the two-factor code). The session is only logged
in after the second step, so no state between the two steps is an authenticated session.

Both steps go through the house login limits (shared_apps/accounts/login_limits.py, like every
other login path): per client address, and per account a slower path instead of a lock, for
passwords and for codes apart, so nobody can lock an operator out by failing on purpose."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.http import HttpRequest
from rest_framework import exceptions

from shared_apps.accounts.login_limits import login_failed
from shared_apps.accounts.models import User
from shared_apps.accounts.services import (
    PLATFORM_ROLES,
    user_authenticate,
    user_second_factor_check,
)

security = logging.getLogger("security")

PENDING_KEY = "console_pending_login"
PENDING_SECONDS = 300


class LoginRefusedError(Exception):
    """A login step failed; the message is safe to show (it never says which part was wrong)."""


class LoginThrottledError(LoginRefusedError):
    """Too many attempts (from this address, or on this account from this address)."""

    def __init__(self, wait: float | None) -> None:
        super().__init__("Too many attempts. Wait a few minutes and try again.")
        self.wait = wait or 60.0


@dataclass(frozen=True)
class PendingLogin:
    user_id: int
    started: float


def console_password_step(*, request: HttpRequest, email: str, password: str) -> PendingLogin:
    """Check email and password of a platform account; the caller keeps the pending login."""
    try:
        user = user_authenticate(
            request=request, email=email, password=password, event="console login"
        )
    except exceptions.Throttled as throttled:
        raise LoginThrottledError(getattr(throttled, "wait", None)) from None
    except exceptions.AuthenticationFailed:
        raise LoginRefusedError("Invalid email or password.") from None
    if user.role not in PLATFORM_ROLES:
        login_failed(email=email)
        raise LoginRefusedError("Invalid email or password.")
    return PendingLogin(user_id=user.pk, started=time.time())


def console_code_step(*, request: HttpRequest, pending: PendingLogin, code: str) -> User:
    """Check the two-factor code for a pending login; the user to log in, or LoginRefusedError."""
    if time.time() - pending.started > PENDING_SECONDS:
        raise LoginRefusedError("That took too long. Start again.")
    user = User.objects.filter(pk=pending.user_id, is_active=True).first()
    if user is None:
        raise LoginRefusedError("Start again.")
    try:
        user_second_factor_check(request=request, user=user, code=code)
    except exceptions.Throttled as throttled:
        raise LoginThrottledError(getattr(throttled, "wait", None)) from None
    except exceptions.AuthenticationFailed:
        raise LoginRefusedError("That code is not valid.") from None
    return user
