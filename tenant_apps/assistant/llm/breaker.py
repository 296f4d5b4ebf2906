"""A circuit breaker per restaurant and model endpoint, kept in the (tenant-prefixed) cache.

Closed: calls go through; FAILURE_THRESHOLD failures within WINDOW seconds open it.
Open: for COOLDOWN seconds turns go straight to the rules engine instead of waiting on a dead
model. Half-open: after the cooldown exactly one call (the trial) is let through; its success
closes the circuit, its failure opens it again for another cooldown. A trial whose caller never
reports (a killed worker) frees its slot after TRIAL_TTL.
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
# Longer than the longest model timeout (assistant.services.TIMEOUT_RANGE).
TRIAL_TTL = 60
# How long an open circuit is remembered at most (a success or a settings change clears it).
OPEN_TTL = 24 * 3600


def _key(endpoint: str, part: str) -> str:
    digest = hashlib.sha256(endpoint.encode()).hexdigest()[:16]
    return f"assistant:breaker:{digest}:{part}"


def breaker_allows(*, endpoint: str) -> bool:
    open_until = cache.get(_key(endpoint, "open_until"))
    if open_until is None:
        return True
    if float(open_until) > time.time():
        return False
    # Half-open: the first caller to take the trial slot tries the model; others wait it out.
    return bool(cache.add(_key(endpoint, "trial"), 1, timeout=TRIAL_TTL))


def breaker_reset(*, endpoint: str) -> None:
    cache.delete_many([_key(endpoint, part) for part in ("failures", "open_until", "trial")])


def breaker_record_success(*, endpoint: str) -> None:
    breaker_reset(endpoint=endpoint)


def _open(endpoint: str) -> None:
    cache.set(_key(endpoint, "open_until"), time.time() + COOLDOWN, timeout=OPEN_TTL)
    cache.delete_many([_key(endpoint, "failures"), _key(endpoint, "trial")])


def breaker_record_failure(*, endpoint: str) -> bool:
    """Count a failure; returns True when this failure opened (or reopened) the circuit."""
    if cache.get(_key(endpoint, "open_until")) is not None:
        _open(endpoint)  # the half-open trial failed
        return True
    key = _key(endpoint, "failures")
    cache.add(key, 0, timeout=WINDOW)
    try:
        failures = int(cache.incr(key) or 0)
    except ValueError:
        cache.set(key, 1, timeout=WINDOW)
        failures = 1
    if failures >= FAILURE_THRESHOLD:
        _open(endpoint)
        return True
    return False
