"""Login limits: per client IP, and per account with a slower path instead of a wall.

- Per IP: the `login` rate (DYSA_RATE_LIMIT_LOGIN, 5/min) counts every login attempt of a
  client address, on every login path (API token, panel session, set-password link, the
  Django admin).
- Per account: failed passwords for one email in this schema are counted for
  DYSA_LOGIN_ACCOUNT_WINDOW seconds. Past DYSA_LOGIN_ACCOUNT_FAILURES, the account is not
  locked (anyone could then lock the owner out from every IP): each client address may
  still try it once per DYSA_LOGIN_SLOW_SECONDS. The owner from their own address gets in
  with the right password; a guesser is slowed to one try per address per slow period.
  A successful login clears the account's count.
- Second step (the two-factor code of platform accounts, console and platform API token):
  failed codes are counted per account the same way, under their own `step`, so guessing
  codes after a right password is slowed per address, never locked.
- Redis unreachable: logins are refused (fail closed, 429), unlike the other throttles,
  which let requests through.

Counters live in Redis under tenant-prefixed keys (the cache's key function).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from core.hotpath.state import hot_path
from core.hotpath.throttle import client_ident, request_count

security = logging.getLogger("security")
UNAVAILABLE_RETRY_SECONDS = 30


@dataclass
class LoginThrottledError(Exception):
    """Too many login attempts; retry after `wait` seconds."""

    wait: float
    reason: str


def _redis() -> Any:
    from django_redis import get_redis_connection  # type: ignore[import-untyped]

    return get_redis_connection("default")


def _account_key(email: str, suffix: str, step: str = "") -> str:
    """`step` names a login step counted apart from the password (e.g. "otp")."""
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:24]
    kind = f"_{step}" if step else ""
    return cache.make_key(f"throttle_login_account{kind}_{digest}{suffix}")


def login_ip_check(request: HttpRequest) -> None:
    """Count this login attempt against the client's address (the `login` rate)."""
    if not settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].get("login"):
        return
    # The throttle of a DRF login view has counted this request already (same request);
    # otherwise it is counted once, however many login checks the request passes through.
    counted = hot_path(request).count
    if counted is None or counted.scope != "login":
        if not hasattr(request, "login_count"):
            request.login_count = request_count(  # type: ignore[attr-defined]
                request, scope="login", ident=client_ident(request)
            )
        counted = request.login_count  # type: ignore[attr-defined]
    if counted is None:  # Redis unreachable: no count, no login
        raise LoginThrottledError(UNAVAILABLE_RETRY_SECONDS, "login limits unavailable")
    if not counted.allowed:
        raise LoginThrottledError(counted.wait(), "too many logins from this address")


def login_account_check(request: HttpRequest, *, email: str, step: str = "") -> None:
    """Before checking a password (or, with `step`, a second-factor code): the slower path
    when the account has too many failures."""
    try:
        client = _redis()
        failures = int(client.get(_account_key(email, "", step)) or 0)
        if failures < settings.DYSA_LOGIN_ACCOUNT_FAILURES:
            return
        slow = settings.DYSA_LOGIN_SLOW_SECONDS
        ip_key = _account_key(email, f"_ip_{client_ident(request)}", step)
        if client.set(ip_key, 1, nx=True, ex=slow):
            return
        wait = float(client.ttl(ip_key) or slow)
    except LoginThrottledError:
        raise
    except Exception:
        security.warning("login limits unavailable; login refused", exc_info=True)
        raise LoginThrottledError(UNAVAILABLE_RETRY_SECONDS, "login limits unavailable") from None
    security.warning("login slowed for an account with too many failures")
    raise LoginThrottledError(max(wait, 1.0), "too many failed logins for this account")


def login_failed(*, email: str, step: str = "") -> None:
    try:
        pipe = _redis().pipeline()
        key = _account_key(email, "", step)
        pipe.incr(key)
        pipe.expire(key, settings.DYSA_LOGIN_ACCOUNT_WINDOW)
        pipe.execute()
    except Exception:
        security.warning("could not count a failed login", exc_info=True)


def login_succeeded(*, email: str, step: str = "") -> None:
    try:
        _redis().delete(_account_key(email, "", step))
    except Exception:
        security.warning("could not clear an account's failed logins", exc_info=True)


class LoginThrottle(BaseThrottle):
    """The per-IP login limit for DRF views (fails closed when Redis is unreachable)."""

    def __init__(self) -> None:
        self._wait: float | None = None

    def allow_request(self, request: Request, view: APIView) -> bool:
        try:
            login_ip_check(request._request)
        except LoginThrottledError as throttled:
            self._wait = throttled.wait
            return False
        return True

    def wait(self) -> float | None:
        return self._wait


def login_view_throttled(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The same limits for a plain Django login view (the Django admin's): a POST is counted
    per IP and per account (its `username` field), failures (the form shown again) counted."""

    @wraps(view)
    def throttled(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method != "POST":
            return view(request, *args, **kwargs)
        email = str(request.POST.get("username", ""))[:254]
        try:
            login_ip_check(request)
            login_account_check(request, email=email)
        except LoginThrottledError as error:
            response = HttpResponse("Too many login attempts.", status=429)
            response["Retry-After"] = str(int(error.wait) + 1)
            return response
        response = view(request, *args, **kwargs)
        if response.status_code in (301, 302, 303):
            login_succeeded(email=email)
        else:
            login_failed(email=email)
        return response

    return throttled
