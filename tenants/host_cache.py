"""Process-local cache of host -> restaurant lookups.

The registry lookup is the one public-schema query every restaurant request would otherwise
make (plus a second `SET search_path`); caching it leaves one `SET search_path` per request.
Unknown hosts are cached too, so random-host floods don't reach the database.

Registry changes (suspension, domains, renames, deletion) bump a version key in Redis when they
commit (`registry_changed`). Each worker follows that key through its near side
(`core.hotpath.near`: Redis tells the worker when the key changes), and drops every entry when
it does; while it can, entries live FOLLOWED_TTL_SECONDS and a change is seen by every worker's
next request. When it cannot (DYSA_NEAR_CACHE off, Redis unreachable), entries live
`DYSA_TENANT_CACHE_SECONDS`. The process that made the change forgets at once either way.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from redis.exceptions import RedisError

from core.hotpath.near import NEAR_SIDE_ERRORS, near_side, near_side_failed
from tenants.models import Restaurant

MAX_ENTRIES = 20_000
REGISTRY_VERSION_KEY = "dysa:registry:version"  # a raw Redis key: not tenant-prefixed
FOLLOWED_TTL_SECONDS = 300.0

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Entry:
    tenant: Restaurant | None
    plain_until: float  # how long it may be trusted on its age alone
    followed_until: float  # ... while Redis vouches that the registry has not changed


class _Registry:
    version: bytes | None = None


_entries: dict[str, _Entry] = {}
_lock = threading.Lock()
_registry = _Registry()


def cached_tenant_for_host(
    hostname: str, load: Callable[[str], Restaurant | None]
) -> Restaurant | None:
    ttl = float(settings.DYSA_TENANT_CACHE_SECONDS)
    if ttl <= 0:
        return load(hostname)
    followed = _registry_followed()
    now = time.monotonic()
    entry = _entries.get(hostname)
    if entry is not None and (entry.followed_until if followed else entry.plain_until) > now:
        return entry.tenant
    tenant = load(hostname)
    with _lock:
        if len(_entries) >= MAX_ENTRIES:
            _entries.clear()
        _entries[hostname] = _Entry(tenant, now + ttl, now + max(ttl, FOLLOWED_TTL_SECONDS))
    return tenant


def _registry_followed() -> bool:
    """Whether Redis vouches for the registry version this process has seen; every entry is
    dropped when that version changed."""
    side = near_side()
    if side is None:
        return False
    try:
        version = side.watched(REGISTRY_VERSION_KEY)
    except NEAR_SIDE_ERRORS:
        near_side_failed("host cache on its own TTL")
        return False
    if version != _registry.version:
        forget_all_hosts()
        _registry.version = version
    return True


def registry_changed() -> None:
    """After a registry change has committed: this process forgets at once, every other one on
    its next request (through Redis) or within DYSA_TENANT_CACHE_SECONDS."""
    from django_redis import get_redis_connection  # type: ignore[import-untyped]

    forget_all_hosts()
    try:
        get_redis_connection("default").set(REGISTRY_VERSION_KEY, uuid.uuid4().hex)
    except (RedisError, OSError):
        logger.error(
            "registry version not bumped; other workers see the change within "
            "DYSA_TENANT_CACHE_SECONDS or FOLLOWED_TTL_SECONDS",
            exc_info=True,
        )


def forget_all_hosts() -> None:
    with _lock:
        _entries.clear()
