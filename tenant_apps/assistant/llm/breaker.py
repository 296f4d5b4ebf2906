"""A circuit breaker per restaurant and model endpoint, kept in the (tenant-prefixed) cache.

After FAILURE_THRESHOLD failures within WINDOW seconds the circuit opens for COOLDOWN seconds:
turns go straight to the rules engine instead of waiting on a dead model. After the cooldown
one call is let through (half-open); success closes the circuit, failure opens it again.
With the cache down the breaker never opens: slower (each turn waits for the timeout), never
wrong, since the rules engine answers either way.
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache

FAILURE_THRESHOLD = 3
WINDOW = 60
COOLDOWN = 30


def _key(endpoint: str, part: str) -> str:
    digest = hashlib.sha256(endpoint.encode()).hexdigest()[:16]
    return f"assistant:breaker:{digest}:{part}"


def breaker_allows(*, endpoint: str) -> bool:
    open_until = cache.get(_key(endpoint, "open_until"))
    return open_until is None or float(open_until) <= time.time()


def breaker_record_success(*, endpoint: str) -> None:
    cache.delete_many([_key(endpoint, "failures"), _key(endpoint, "open_until")])


def breaker_record_failure(*, endpoint: str) -> bool:
    """Count a failure; returns True when this failure opened the circuit."""
    key = _key(endpoint, "failures")
    cache.add(key, 0, timeout=WINDOW)
    try:
        failures = int(cache.incr(key) or 0)
    except ValueError:
        cache.set(key, 1, timeout=WINDOW)
        failures = 1
    if failures >= FAILURE_THRESHOLD:
        cache.set(_key(endpoint, "open_until"), time.time() + COOLDOWN, timeout=COOLDOWN + 5)
        cache.delete(key)
        return True
    return False
