"""Process-local cache of host -> restaurant lookups.

The registry lookup is the one public-schema query every restaurant request would otherwise
make (plus a second `SET search_path`); caching it for a few seconds leaves one `SET search_path`
per request. Unknown hosts are cached too, so random-host floods don't reach the database.
Registry changes (suspension, domain removal) reach every worker within
`DYSA_TENANT_CACHE_SECONDS`; the process that made the change sees it at once (`forget`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from django.conf import settings

from tenants.models import Restaurant

MAX_ENTRIES = 20_000

_entries: dict[str, tuple[float, Restaurant | None]] = {}
_lock = threading.Lock()


def cached_tenant_for_host(
    hostname: str, load: Callable[[str], Restaurant | None]
) -> Restaurant | None:
    ttl = float(settings.DYSA_TENANT_CACHE_SECONDS)
    if ttl <= 0:
        return load(hostname)
    now = time.monotonic()
    entry = _entries.get(hostname)
    if entry is not None and entry[0] > now:
        return entry[1]
    tenant = load(hostname)
    with _lock:
        if len(_entries) >= MAX_ENTRIES:
            _entries.clear()
        _entries[hostname] = (now + ttl, tenant)
    return tenant


def forget_all_hosts() -> None:
    with _lock:
        _entries.clear()
