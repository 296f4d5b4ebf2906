"""How many language-model calls may be in flight at once: per restaurant and in all.

A model call holds a web worker for up to the restaurant's timeout (30 s at most). Without a
cap, one restaurant with a slow model (or one visitor hammering it) could hold every worker
of the shared web tier. Slots are counters in Redis (INCR to take, DECR to give back, with a
lifetime so a killed worker's slot frees itself); a turn that finds no free slot is answered
by the rules engine at once. Redis unreachable: no slot, the rules engine answers (the model
is an extra, the customer still gets an answer).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final

from django.conf import settings
from django.core.cache import cache
from redis.commands.core import Script

logger = logging.getLogger(__name__)

# Longer than the longest model timeout: a slot whose worker died is free again after this.
SLOT_TTL: Final = 60
GLOBAL_KEY: Final = "dysa:llm:inflight:all"

# KEYS: counters; ARGV[1]: ttl, ARGV[2..]: limits. Takes a slot in every counter or in none.
_TAKE: Final = Script(
    None,  # type: ignore[arg-type]
    b"""
for i, key in ipairs(KEYS) do
  local used = tonumber(redis.call('GET', key) or '0')
  if used >= tonumber(ARGV[i + 1]) then return 0 end
end
for _, key in ipairs(KEYS) do
  redis.call('INCR', key)
  redis.call('EXPIRE', key, ARGV[1])
end
return 1
""",
)


def _redis() -> Any:
    from django_redis import get_redis_connection  # type: ignore[import-untyped]

    return get_redis_connection("default")


@contextmanager
def model_slot() -> Iterator[bool]:
    """Yields whether a slot was taken (call the model only then); gives it back after."""
    keys = [cache.make_key("assistant:llm:inflight"), GLOBAL_KEY]
    limits = [settings.DYSA_LLM_INFLIGHT_PER_RESTAURANT, settings.DYSA_LLM_INFLIGHT_TOTAL]
    try:
        client = _redis()
        taken = bool(_TAKE(keys=keys, args=[SLOT_TTL, *limits], client=client))
    except Exception:
        logger.warning("model slots unavailable; the rules engine answers", exc_info=True)
        yield False
        return
    try:
        yield taken
    finally:
        if taken:
            try:
                pipe = client.pipeline()
                for key in keys:
                    pipe.decr(key)
                pipe.execute()
            except Exception:
                logger.warning("could not give a model slot back", exc_info=True)
