"""Per-resource read cache in Redis, tenant-prefixed, invalidated by version bump on writes.

Every key goes through Django's cache, whose key function (`django_tenants.cache.make_key`)
prefixes the active schema, so two restaurants never share an entry. A resource (menu,
customers, ...) has a version token; each entry is stored with the token current when it was
computed, and a read fetches the token and the entry together (one MGET round trip) and uses
the entry only if the tokens match. A write replaces the token, which makes every older entry
of that resource stale at once (they then expire by TTL). The cache never decides
correctness: when Redis is down the cache backend swallows the error (IGNORE_EXCEPTIONS),
reads fall through to the producer, and the answer comes from the database.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Final, Protocol, TypeVar, cast

from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest

T = TypeVar("T")
logger = logging.getLogger(__name__)

# Seconds each resource's entries live (the per-resource TTLs).
RESOURCE_TTLS: Final[dict[str, int]] = {
    "menu": 30 * 60,
    "customers": 5 * 60,
    "orders": 3 * 60,
    "promotions": 60,
    "conversations": 30,
    "settings": 60 * 60,
    # Only its version token is stored: the channel's decrypted configuration stays in each
    # process (tenant_apps.messaging.whatsapp.channel_config), never in Redis.
    "whatsapp": 60 * 60,
}
KEY_PREFIX: Final = "dysa"


def _version_key(resource: str) -> str:
    return f"{KEY_PREFIX}:{resource}:version"


def _new_token() -> str:
    return uuid.uuid4().hex[:12]


def _ttl(resource: str) -> int:
    try:
        return RESOURCE_TTLS[resource]
    except KeyError:
        raise ValueError(f"unknown cached resource {resource!r}") from None


def _data_key(resource: str, key: str) -> str:
    return f"{KEY_PREFIX}:{resource}:data:{key}"


def cache_read_keys(resource: str, key: str) -> list[str]:
    """The cache keys `cached(resource, key, ...)` reads, for fetching them ahead of time."""
    return [_version_key(resource), _data_key(resource, key)]


class CachedPublicRead(Protocol):
    public_cache_resource: str

    @staticmethod
    def public_cache_key(request: HttpRequest) -> str | None:
        """The cache key answering `request`, or None to let the view answer it."""


def cached_read_keys(view: object, request: HttpRequest) -> list[str]:
    """The cache entries a cached public read's view is about to read for `request` (none for
    other views), for the throttle to fetch with its counter."""
    key_for = getattr(view, "public_cache_key", None)
    key = key_for(request) if key_for is not None else None
    if key is None:
        return []
    return cache_read_keys(cast(CachedPublicRead, view).public_cache_resource, key)


class _Miss:
    """No current entry (absent, or written under an older version token)."""


MISS: Final = _Miss()


def decoded_entries(keys: Sequence[str], raw_values: Sequence[object]) -> dict[str, object]:
    """What `cache.get_many(keys)` would return, from a raw Redis MGET answer for the keys'
    full (prefixed) names, for callers that read Redis directly."""
    decode = cache.client.decode  # type: ignore[attr-defined]
    return {k: decode(v) for k, v in zip(keys, raw_values, strict=True) if v is not None}


def cached_value(resource: str, key: str, found: Mapping[str, object]) -> object:
    """The current value of `resource`/`key` among the entries `found` (the answer of
    `cache.get_many(cache_read_keys(resource, key))`), or MISS."""
    token = found.get(_version_key(resource))
    entry = found.get(_data_key(resource, key))
    if token is not None and isinstance(entry, tuple) and len(entry) == 2 and entry[0] == token:
        return entry[1]
    return MISS


def cached(
    resource: str,
    key: str,
    producer: Callable[[], T],
    *,
    prefetched: Mapping[str, object] | None = None,
) -> T:
    """Return the cached value of `resource`/`key`, computing and storing it on a miss.

    `prefetched`: the answer of `cache.get_many(cache_read_keys(resource, key))` already
    fetched by the caller (with the throttle's counter), which saves that round trip.
    """
    ttl = _ttl(resource)
    version_key = _version_key(resource)
    data_key = _data_key(resource, key)
    found = prefetched if prefetched is not None else cache.get_many([version_key, data_key])
    value = cached_value(resource, key, found)
    if value is not MISS:
        return cast(T, value)
    token = found.get(version_key)
    if token is None:
        # A fresh random token (never a fixed "0") so entries written before the version key
        # was lost (eviction, Redis restart) can never be served again.
        candidate = _new_token()
        cache.add(version_key, candidate, timeout=None)
        token = cache.get(version_key) or candidate
    value = producer()
    cache.set(data_key, (token, value), timeout=ttl)
    return value


# Called with a resource's full (prefixed) version key when it is invalidated, before the new
# token is written: copies of its entries kept outside Redis (the near cache) drop them.
_invalidation_hooks: list[Callable[[str], None]] = []


def invalidation_hook_register(hook: Callable[[str], None]) -> None:
    """Have `hook(version_key)` called on every invalidation in this process (idempotent)."""
    if hook not in _invalidation_hooks:
        _invalidation_hooks.append(hook)


def invalidate(resource: str) -> None:
    """Forget every entry of `resource` now and again when the current transaction commits.

    The second bump matters: a reader between this call and the commit still sees the old
    rows and may cache them under the new token.
    """
    _ttl(resource)
    full_version_key = cache.make_key(_version_key(resource))
    for hook in _invalidation_hooks:
        hook(full_version_key)
    cache.set(_version_key(resource), _new_token(), timeout=None)
    transaction.on_commit(lambda: cache.set(_version_key(resource), _new_token(), timeout=None))


def resource_version(resource: str) -> str | None:
    """The current version token of `resource` (it changes on every write), started if there
    is none yet: a change stamp for cheap polling (the panel's live boards). None when Redis
    cannot be reached (pollers then fetch the full answer every time)."""
    _ttl(resource)
    version_key = _version_key(resource)
    value = cache.get(version_key)
    if value is None:
        cache.add(version_key, _new_token(), timeout=None)
        value = cache.get(version_key)
    return str(value) if value is not None else None


def _glob_escape(text: str) -> str:
    return "".join(f"\\{c}" if c in "*?[]\\" else c for c in text)


def schema_cache_wipe(*, schema_name: str) -> int:
    """Delete every cache entry under `schema_name`'s key prefix; returns how many.

    Keys are prefixed by schema name (django_tenants.cache.make_key), and a purged
    restaurant's schema name is free for the next restaurant with the same slug: its menu,
    roles or counters must not pass to that one. Called when a restaurant is purged and
    again when one is onboarded (in case Redis was unreachable at the purge). Deleting the
    keys also drops the near side's copies (client tracking). Redis down: logged, 0.
    """
    from django_redis import get_redis_connection  # type: ignore[import-untyped]

    pattern = _glob_escape(f"{schema_name}:") + "*"
    deleted = 0
    try:
        client = get_redis_connection("default")
        batch: list[bytes] = []
        for key in client.scan_iter(match=pattern, count=1000):
            batch.append(key)
            if len(batch) >= 500:
                deleted += int(client.unlink(*batch))
                batch = []
        if batch:
            deleted += int(client.unlink(*batch))
    except Exception:
        logger.warning("cache wipe of schema %s failed", schema_name, exc_info=True)
    return deleted
