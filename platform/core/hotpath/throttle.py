"""The default API rate limit: a fixed one-minute window counted in Redis in one round trip.

DRF's AnonRateThrottle + UserRateThrottle keep a list of timestamps per client and cost four
Redis round trips per request (two reads, two writes); this is one Lua script that increments
the window's counter and sets its expiry atomically. The scope is `user` for an authenticated
principal (user or API key) and `anon` (by client IP) otherwise, with the rates in
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]. Keys go through the cache's key function, so they are
tenant-prefixed. A fixed window may let through up to twice the rate across a window boundary;
that is the price of one round trip. Redis down: requests are let through (rate limiting never
takes the API down).

A cached public read (`core.hotpath.middleware`) names the cache entries it is about to read: they
are fetched by the same script as the counter, so a cached answer costs one Redis round trip in
all. Whoever counts a request first (the cached-read middleware, or this throttle) leaves the
count on the request, so a request is never counted twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

from django.core.cache import cache
from django.http import HttpRequest
from redis.commands.core import Script
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from core.cache import cached_read_keys, decoded_entries
from core.hotpath.state import WindowCount, hot_path

if TYPE_CHECKING:  # rest_framework.views imports the throttle classes: no cycle at runtime
    from rest_framework.views import APIView

    from core.hotpath.near import NearSide

logger = logging.getLogger(__name__)

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

# KEYS[1] is the window's counter, KEYS[2..] cache entries to read; ARGV[1] the counter's life
# in seconds.
COUNT_SCRIPT: Final = b"""
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
if #KEYS == 1 then return {count, {}} end
return {count, redis.call('MGET', unpack(KEYS, 2))}
"""
# Bytes, so the script's SHA is computed without a client (it is sent once per Redis server).
_COUNT_AND_FETCH: Final = Script(None, COUNT_SCRIPT)  # type: ignore[arg-type]


def _parse_rate(rate: str) -> tuple[int, int]:
    """`100/min` -> (100, 60): DRF's notation, the period's first letter counts."""
    number, period = rate.split("/")
    return int(number), _PERIODS[period.strip()[0]]


def _redis() -> Any:
    from django_redis import get_redis_connection  # type: ignore[import-untyped]

    return get_redis_connection("default")


def client_ident(request: HttpRequest | Request) -> str:
    """The anonymous client's identity: its IP, read through the trusted proxies (NUM_PROXIES)."""
    # DRF's rule reads only headers and META, which an HttpRequest has too.
    return str(BaseThrottle().get_ident(request))  # type: ignore[arg-type]


def request_count(
    request: HttpRequest,
    *,
    scope: str,
    ident: str,
    fetch: Sequence[str] = (),
    near: NearSide | None = None,
) -> WindowCount | None:
    """Count `request` in the current window of `scope` for `ident`, reading the cache entries
    `fetch` in the same round trip, or, given the process's `near` side, without waiting for
    Redis (`core.hotpath.near`; nothing is fetched then). The count and what was fetched are
    left in the request's `hot_path` state, where the throttle and the view find them.

    None when the scope has no rate (nothing to count) or Redis cannot be reached.
    """
    rate = api_settings.DEFAULT_THROTTLE_RATES.get(scope)
    if not rate:
        return None
    limit, period = _parse_rate(str(rate))
    now = time.time()
    window = int(now // period)
    counter = cache.make_key(f"throttle_{scope}_{ident}_{window}")
    fetched: dict[str, Any] = {}
    # Errors of the near side are its caller's to handle (it resets the side).
    count = near.count(counter, period + 1, limit) if near is not None else None
    if count is None:
        try:
            count, values = _COUNT_AND_FETCH(
                keys=[counter, *(cache.make_key(k) for k in fetch)],
                args=[period + 1],
                client=_redis(),
            )
            fetched = decoded_entries(fetch, values) if fetch else {}
        except Exception:
            logger.debug("throttle counter unavailable; request allowed", exc_info=True)
            return None
        if fetch:
            hot_path(request).fetched = fetched
    counted = WindowCount(scope, ident, int(count), limit, (window + 1) * period, fetched)
    hot_path(request).count = counted
    return counted


class RedisWindowThrottle(BaseThrottle):
    def __init__(self) -> None:
        self._wait: float | None = None

    def allow_request(self, request: Request, view: APIView) -> bool:
        user = request.user
        authenticated = bool(user is not None and getattr(user, "is_authenticated", False))
        scope = "user" if authenticated else "anon"
        ident = str(getattr(user, "pk", None)) if authenticated else self.get_ident(request)
        counted = hot_path(request).count
        if counted is None or (counted.scope, counted.ident) != (scope, ident):
            counted = request_count(
                request._request, scope=scope, ident=ident, fetch=self._read_ahead(request, view)
            )
        if counted is None or counted.allowed:
            return True
        self._wait = counted.wait()
        return False

    @staticmethod
    def _read_ahead(request: Request, view: APIView) -> list[str]:
        """The cache entries a cached public read is about to read (`core.hotpath.middleware`)."""
        return cached_read_keys(view, request._request)

    def wait(self) -> float | None:
        return self._wait
