"""Fixtures for the restaurant domain tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django_redis import get_redis_connection  # type: ignore[import-untyped]

# Tests roll their database work back, but Redis keeps what they cached and counted: drop
# this suite's resource cache keys around every test (throttles: tests/conftest.py).
_OWN_KEY_PATTERNS = ("*:dysa:*",)


def _drop_own_cache_keys() -> None:
    redis = get_redis_connection("default")
    for pattern in _OWN_KEY_PATTERNS:
        keys = list(redis.scan_iter(match=pattern, count=1000))
        if keys:
            redis.delete(*keys)


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    _drop_own_cache_keys()
    yield
    _drop_own_cache_keys()
