"""Counting attempts in Redis for the platform's forms (signup, console login).

Keys start with `throttle_` like the API's throttles (tests clear them between tests) and go
through the cache's key function, so they are prefixed. Redis down: nothing is counted and
nothing is refused (limits never take the site down)."""

from __future__ import annotations

import hashlib

from django.core.cache import cache


def limit_key(scope: str, value: str) -> str:
    return f"throttle_{scope}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def limit_hit(key: str, seconds: int) -> int:
    """Count one attempt in a window of `seconds` starting at the first; the count so far."""
    try:
        cache.add(key, 0, timeout=seconds)
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr, or Redis down (IGNORE_EXCEPTIONS)
        return 0


def limit_count(key: str) -> int:
    return int(cache.get(key) or 0)


def limit_clear(key: str) -> None:
    cache.delete(key)


def client_ip(request: object) -> str:
    meta = getattr(request, "META", {})
    return str(meta.get("REMOTE_ADDR", ""))
