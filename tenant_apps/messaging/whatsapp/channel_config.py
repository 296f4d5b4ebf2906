"""The restaurant's WhatsApp connection as webhooks and sends need it, kept in each process.

Why: every webhook and every send needs the channel (provider, number) and one or two of the
restaurant's encrypted secrets, three queries and decryptions per message, for data that
changes only when staff reconnect the channel. Each process keeps what it read, per schema,
with the version token of the `whatsapp` cache resource (core.cache) read just BEFORE the
database, and uses it while the token is the same. Configuring or disabling the channel
invalidates the resource (a new token now and another at commit), so every process's next
message reads the database again. The token is followed through the process's near side (no
Redis round trip while Redis has not said it changed: core.hotpath.near). Only the token is
in Redis, never a secret; without Redis there is no token and nothing is kept.

Nothing read inside a transaction is kept (it may be the transaction's own uncommitted write,
later rolled back). Secrets written without the channel services (the `secrets` command) bump
no token: what is kept is also dropped after MAX_AGE_SECONDS, and a webhook whose signature
fails against a kept secret is checked again against the database before it is refused.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Final

from django.db import connection

from core.cache import invalidate
from core.db import current_schema_name
from core.hotpath.near import resource_stamp
from tenant_apps.messaging.whatsapp.credentials import Credentials, credentials_get
from tenant_apps.messaging.whatsapp.selectors import whatsapp_channel_active

RESOURCE: Final = "whatsapp"
MAX_AGE_SECONDS: Final = 60.0
MAX_ENTRIES: Final = 10_000


@dataclass(frozen=True)
class ChannelConfig:
    """An enabled channel and its provider's credentials (the API field names)."""

    provider: str
    phone_number: str
    credentials: Credentials


@dataclass(frozen=True)
class _Kept:
    stamp: bytes
    until: float
    config: ChannelConfig | None  # None: not connected (unconfigured hosts get webhooks too)


_kept: dict[str, _Kept] = {}
_lock = threading.Lock()


def _read() -> ChannelConfig | None:
    channel = whatsapp_channel_active()
    if channel is None:
        return None
    return ChannelConfig(
        provider=channel.provider,
        phone_number=channel.phone_number,
        credentials=credentials_get(provider=channel.provider),
    )


def channel_config(*, fresh: bool = False) -> ChannelConfig | None:
    """The enabled channel with its credentials, or None when WhatsApp is not connected.
    `fresh`: read the database even if this process kept a copy (and keep the new one)."""
    schema = current_schema_name()
    stamp = resource_stamp(RESOURCE)
    now = time.monotonic()
    kept = _kept.get(schema)
    if not fresh and kept is not None and kept.stamp == stamp and kept.until > now:
        return kept.config
    config = _read()
    if stamp is not None and not connection.in_atomic_block:
        with _lock:
            if len(_kept) >= MAX_ENTRIES:
                _kept.clear()
            _kept[schema] = _Kept(stamp, now + MAX_AGE_SECONDS, config)
    return config


def channel_config_changed() -> None:
    """After writing the channel or its credentials (inside the writing transaction): every
    process reads them again (this one at once, the others on their next message)."""
    with _lock:
        _kept.pop(current_schema_name(), None)
    invalidate(RESOURCE)
