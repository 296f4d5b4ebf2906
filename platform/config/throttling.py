"""The default API rate limit: a fixed one-minute window counted in Redis in one round trip.

DRF's AnonRateThrottle + UserRateThrottle keep a list of timestamps per client and cost four
Redis round trips per request (two reads, two writes); this is one pipelined INCR + EXPIRE.
The scope is `user` for an authenticated principal (user or API key) and `anon` (by client IP)
otherwise, with the rates in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]. Keys go through the
cache's key function, so they are tenant-prefixed. A fixed window may let through up to twice
the rate across a window boundary; that is the price of one round trip. Redis down: requests
are let through (rate limiting never takes the API down).

A view on a hot path may name cache entries it is about to read (`throttle_piggyback_keys`):
they are fetched in the same pipeline as the counter, so a cached answer costs one Redis round
trip in all, and handed to the view on `request.piggybacked` (unset when not fetched).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

if TYPE_CHECKING:  # rest_framework.views imports the throttle classes: no cycle at runtime
    from rest_framework.views import APIView

logger = logging.getLogger(__name__)


_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _parse_rate(rate: str) -> tuple[int, int]:
    """`100/min` -> (100, 60): DRF's notation, the period's first letter counts."""
    number, period = rate.split("/")
    return int(number), _PERIODS[period.strip()[0]]


def _redis() -> Any:
    from django_redis import get_redis_connection  # type: ignore[import-untyped]

    return get_redis_connection("default")


def _decoded(keys: list[str], values: list[Any]) -> dict[str, Any]:
    """What `cache.get_many(keys)` would return, from the raw MGET answer."""
    decode = cache.client.decode  # type: ignore[attr-defined]
    return {k: decode(v) for k, v in zip(keys, values, strict=True) if v is not None}


class RedisWindowThrottle(BaseThrottle):
    def __init__(self) -> None:
        self._wait: float | None = None

    def allow_request(self, request: Request, view: APIView) -> bool:
        user = request.user
        authenticated = bool(user is not None and getattr(user, "is_authenticated", False))
        scope = "user" if authenticated else "anon"
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(scope)
        if not rate:
            return True
        limit, period = _parse_rate(str(rate))
        ident = getattr(user, "pk", None) if authenticated else self.get_ident(request)
        now = time.time()
        window = int(now // period)
        key = cache.make_key(f"throttle_{scope}_{ident}_{window}")
        piggyback = getattr(view, "throttle_piggyback_keys", None)
        extra: list[str] = piggyback(request) if piggyback is not None else []
        try:
            pipe = _redis().pipeline(transaction=False)
            pipe.incr(key)
            pipe.expire(key, period + 1)
            if extra:
                pipe.mget([cache.make_key(k) for k in extra])
            results = pipe.execute()
            count = int(results[0])
            if extra:
                # On the HttpRequest: the DRF request reads through to it, and so can tests.
                request._request.piggybacked = _decoded(extra, results[2])  # type: ignore[attr-defined]
        except Exception:
            logger.debug("throttle counter unavailable; request allowed", exc_info=True)
            return True
        if count > limit:
            self._wait = (window + 1) * period - now
            return False
        return True

    def wait(self) -> float | None:
        return self._wait
