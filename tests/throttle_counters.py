"""Reading the rate-limit counters Redis holds, from tests."""

from __future__ import annotations

from django_redis import get_redis_connection  # type: ignore[import-untyped]

from core.hotpath.near import near_side


def throttle_counters(pattern: str = "*throttle_*") -> dict[str, int]:
    """Counter key -> count, once this process's batch of counts has reached Redis."""
    side = near_side()
    if side is not None:
        side.settle()
    redis = get_redis_connection("default")
    return {key.decode(): int(redis.get(key)) for key in redis.scan_iter(match=pattern)}
