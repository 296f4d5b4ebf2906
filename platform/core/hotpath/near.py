"""The hot path's Redis side: process-local copies of cache entries that Redis keeps honest,
and rate-limit counting that never waits for Redis.

Why: on the cached public menu GET a blocking Redis round trip costs more than everything
else the request does. A sync web worker that waits for Redis gives up its CPU, and getting it
back (plus the cold caches after the switch) costs several times the round trip itself once
the machine is busy. So the hot path does not wait:

- Near cache. Entries of `core.cache` read here are kept in this process, and Redis tells us
  when to drop them: the reading connection has client tracking on (`CLIENT TRACKING ON
  REDIRECT`), so Redis remembers which keys it read and pushes the name of any such key that is
  written, expires or is evicted to a second connection subscribed to `__redis__:invalidate`.
  Pending invalidations are applied (a non-blocking read) before every use of a local copy.
  Redis queues the message for the listener while it executes the write, so a read that starts
  after a write has been acknowledged finds the message waiting. Anything that could lose
  messages (a broken connection, a queue backlog) drops every local copy.
- Deferred counting. The rate-limit counter is incremented on a connection of its own without
  waiting for the answer; answers are collected (non-blocking) on the next requests. A request
  is judged on the last count this process has seen plus its own increments still in flight.
  Other workers' increments since then are not seen yet, so a client may get up to one extra
  request per web worker into a window before every worker refuses it.

Any Redis error resets the whole side (connections, copies, counts) and the caller falls back
to the one-round-trip path; reconnecting is retried after `_RETRY_SECONDS`.
See docs/adr/0007-cached-menu-hot-path.md.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections import Counter, OrderedDict, deque
from typing import Any, Final

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.dispatch import receiver
from redis import ConnectionPool
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

from core.cache import (
    MISS,
    cache_read_keys,
    cached_value,
    decoded_entries,
    invalidation_hook_register,
    resource_version,
)
from core.db import current_schema_name

logger = logging.getLogger(__name__)

INVALIDATION_CHANNEL: Final = "__redis__:invalidate"
CLIENT_NAME: Final = "dysa-near-cache"  # how these connections show in CLIENT LIST
MAX_COPIES: Final = 5_000
MAX_PENDING_BATCHES: Final = 200
# A batch of counts goes to Redis after this many requests or this long, whichever first.
BATCH_REQUESTS: Final = 50
BATCH_SECONDS: Final = 0.05
# Counts a batch in the same fixed-window keys as core.hotpath.throttle: ARGV holds an amount and
# the counter's life in seconds per key; the answer is each key's new count.
_COUNT_BATCH: Final = b"""
local counts = {}
for i, key in ipairs(KEYS) do
  local amount = tonumber(ARGV[2 * i - 1])
  local count = redis.call('INCRBY', key, amount)
  if count == amount then redis.call('EXPIRE', key, ARGV[2 * i]) end
  counts[i] = count
end
return counts
"""
# Above this share of its limit a client's requests are counted one by one, waiting for Redis.
EXACT_ABOVE_SHARE_OF_LIMIT: Final = 0.8
_RETRY_SECONDS: Final = 5.0
# What a failing near side raises (redis-py errors, and socket errors it lets through).
NEAR_SIDE_ERRORS: Final = (RedisError, OSError)
_SOCKET_TIMEOUT: Final = 1.0


class NearSide:
    """One process's connections, local copies and counts (created in the web worker)."""

    def __init__(self, redis_url: str) -> None:
        # RESP2: invalidations arrive as plain pub/sub messages on the listener (RESP3 would
        # deliver them as push frames, which the client library consumes on its own).
        pool = ConnectionPool.from_url(
            redis_url,
            protocol=2,
            client_name=CLIENT_NAME,
            socket_timeout=_SOCKET_TIMEOUT,
            socket_connect_timeout=_SOCKET_TIMEOUT,
        )
        # Any: redis-py's connection-level API (send_command/read_response) is untyped.
        self._listener: Any = pool.make_connection()
        self._reader: Any = pool.make_connection()
        self._counter: Any = pool.make_connection()
        self._copies: OrderedDict[str, tuple[str, object]] = OrderedDict()
        self._watched: dict[str, bytes | None] = {}
        self._pending: deque[list[tuple[str, int]]] = deque()  # batches sent, not answered
        self._in_flight: Counter[str] = Counter()
        self._unsent: Counter[str] = Counter()
        self._unsent_ttl: dict[str, int] = {}
        self._batch_started = 0.0
        self._seen: dict[str, int] = {}
        self._reconnected = False
        self._connect()
        for connection in self._connections():
            # redis-py reconnects a dropped connection by itself, without our SUBSCRIBE or
            # CLIENT TRACKING: such a side can no longer vouch for its copies.
            connection.register_connect_callback(self._on_reconnect)

    def _on_reconnect(self, _connection: object) -> None:
        self._reconnected = True

    def _check_connected(self) -> None:
        if self._reconnected:
            raise RedisConnectionError("near cache connection was re-established")

    def _connect(self) -> None:
        self._listener.send_command("CLIENT", "ID")
        listener_id = int(self._listener.read_response())
        self._listener.send_command("SUBSCRIBE", INVALIDATION_CHANNEL)
        self._listener.read_response()
        self._reader.send_command("CLIENT", "TRACKING", "ON", "REDIRECT", listener_id)
        self._reader.read_response()
        self._counter.send_command("SCRIPT", "LOAD", _COUNT_BATCH)
        self._count_sha = self._counter.read_response()

    def _connections(self) -> list[Any]:
        return [self._listener, self._reader, self._counter]

    def close(self) -> None:
        for connection in self._connections():
            connection.disconnect()

    # --- near cache ---------------------------------------------------------------------------

    def value(self, resource: str, key: str) -> object:
        """The current value of `resource`/`key`, from the local copy or read (and from then on
        tracked) from Redis; MISS when Redis has no current entry either."""
        self._apply_invalidations()
        self._check_connected()
        names = cache_read_keys(resource, key)
        version_key, data_key = (cache.make_key(name) for name in names)
        copy = self._copies.get(data_key)
        if copy is not None:
            self._copies.move_to_end(data_key)
            return copy[1]
        self._reader.send_command("MGET", version_key, data_key)
        found = decoded_entries(names, self._reader.read_response())
        value = cached_value(resource, key, found)
        if value is not MISS:
            self._keep(data_key, version_key, value)
        return value

    def watched(self, key: str) -> bytes | None:
        """The raw value Redis holds at `key` (a full key, no prefix added), from this
        process's copy for as long as Redis has not said it changed."""
        self._apply_invalidations()
        self._check_connected()
        if key in self._watched:
            return self._watched[key]
        self._reader.send_command("GET", key)
        value: bytes | None = self._reader.read_response()
        self._check_connected()
        self._watched[key] = value
        return value

    def _keep(self, data_key: str, version_key: str, value: object) -> None:
        self._check_connected()  # an untracked read is served, never kept
        self._copies[data_key] = (version_key, value)
        if len(self._copies) > MAX_COPIES:
            self._copies.popitem(last=False)

    def _apply_invalidations(self) -> None:
        while self._listener.can_read(timeout=0):
            message = self._listener.read_response()
            if not isinstance(message, list) or message[0] != b"message":
                continue
            keys = message[2]
            if keys is None:  # FLUSHDB / FLUSHALL
                self._copies.clear()
                self._watched.clear()
            else:
                self._drop({k.decode() for k in keys})

    def _drop(self, keys: set[str]) -> None:
        for key in keys & self._watched.keys():
            del self._watched[key]
        stale = [
            data_key
            for data_key, (version_key, _) in self._copies.items()
            if data_key in keys or version_key in keys
        ]
        for data_key in stale:
            del self._copies[data_key]

    def forget(self, version_key: str) -> None:
        """Drop this process's copies under `version_key` now (read-your-writes, without
        waiting for Redis's message)."""
        self._drop({version_key})

    # --- batched counting ---------------------------------------------------------------------

    def count(self, counter_key: str, ttl: int, limit: int) -> int | None:
        """Count one request on `counter_key` in the next batch; the best count known here,
        this one included. None when that count is close to `limit`: the caller must then
        count in Redis and wait for the answer, so the limit itself is enforced exactly."""
        self._collect_counts()
        self._check_connected()
        known = (
            self._seen.get(counter_key, 0)
            + self._in_flight[counter_key]
            + self._unsent[counter_key]
            + 1
        )
        if known > limit * EXACT_ABOVE_SHARE_OF_LIMIT:
            self.flush()
            return None
        if not self._unsent:
            self._batch_started = time.monotonic()
        self._unsent[counter_key] += 1
        self._unsent_ttl[counter_key] = ttl
        if (
            sum(self._unsent.values()) >= BATCH_REQUESTS
            or time.monotonic() - self._batch_started >= BATCH_SECONDS
        ):
            self.flush()
        return known

    def flush(self) -> None:
        """Send the batch's counts (one command, its answer collected later)."""
        if not self._unsent:
            return
        if len(self._pending) >= MAX_PENDING_BATCHES:
            raise RedisError("rate-limit counts are not being answered")
        batch = list(self._unsent.items())
        arguments: list[object] = []
        for key, amount in batch:
            arguments += [amount, self._unsent_ttl[key]]
            self._in_flight[key] += amount
        self._counter.send_command(
            "EVALSHA", self._count_sha, len(batch), *(key for key, _ in batch), *arguments
        )
        self._pending.append(batch)
        self._unsent.clear()
        self._unsent_ttl.clear()

    def _collect_counts(self) -> None:
        while self._pending and self._counter.can_read(timeout=0):
            counts = self._counter.read_response()
            for (key, amount), count in zip(self._pending.popleft(), counts, strict=True):
                self._in_flight[key] -= amount
                if not self._in_flight[key]:
                    del self._in_flight[key]
                self._seen[key] = max(int(count), self._seen.get(key, 0))
        if len(self._seen) > MAX_COPIES:  # old windows' counters
            self._seen = {k: v for k, v in self._seen.items() if k in self._in_flight}

    def settle(self) -> None:
        """Send the batch and wait for every answer (tests read the counters Redis holds)."""
        self.flush()
        while self._pending:
            self._counter.can_read(timeout=_SOCKET_TIMEOUT)
            self._collect_counts()


class _Process:
    side: NearSide | None = None
    pid: int = 0
    retry_at: float = 0.0


_process = _Process()


def _own_side() -> NearSide | None:
    """The side this process created (a forked child must not use its parent's sockets)."""
    return _process.side if _process.pid == os.getpid() else None


def near_side() -> NearSide | None:
    """This process's near side; None when disabled or Redis is unreachable (then retried
    after a pause). Created lazily: connections must not cross a fork."""
    side = _own_side()
    if side is not None:  # any change to the settings below resets it (_settings_changed)
        return side
    default = settings.CACHES.get("default", {})
    location = default.get("LOCATION")
    if (
        not settings.DYSA_NEAR_CACHE
        or "django_redis" not in str(default.get("BACKEND", ""))
        or not isinstance(location, str)
    ):
        return None  # switched off, or the cache is not one Redis server (a dummy cache)
    if time.monotonic() < _process.retry_at:
        return None
    try:
        _process.side = NearSide(location)
        _process.pid = os.getpid()
    except NEAR_SIDE_ERRORS:
        logger.warning("near cache unavailable; using one Redis round trip", exc_info=True)
        _process.side = None
        _process.retry_at = time.monotonic() + _RETRY_SECONDS
    return _process.side


def near_side_failed(fallback: str) -> None:
    """After an error of the near side: log what the caller falls back to and reset the side.
    Callers catch NEAR_SIDE_ERRORS."""
    logger.warning("near cache failed; %s", fallback, exc_info=True)
    near_side_reset()


def near_side_reset(*, retry_now: bool = False) -> None:
    """Forget this process's near side (after an error, or when settings change)."""
    side = _own_side()
    _process.side = None
    _process.retry_at = 0.0 if retry_now else time.monotonic() + _RETRY_SECONDS
    if side is not None:
        with contextlib.suppress(*NEAR_SIDE_ERRORS):  # closing a broken socket
            side.close()


def near_forget(version_key: str) -> None:
    """Called on writes: this process's copies of that resource go at once."""
    side = _own_side()
    if side is not None:
        side.forget(version_key)


invalidation_hook_register(near_forget)


@receiver(setting_changed)
def _settings_changed(*, setting: str, **_kwargs: Any) -> None:
    if setting in ("CACHES", "DYSA_NEAR_CACHE"):
        near_side_reset(retry_now=True)


def _raw_resource_version(key: str) -> bytes | None:
    side = near_side()
    if side is not None:
        try:
            return side.watched(key)
        except NEAR_SIDE_ERRORS:
            near_side_failed("reading the version token from Redis")
    from django_redis import get_redis_connection  # type: ignore[import-untyped]

    try:
        raw: bytes | None = get_redis_connection("default").get(key)
    except (RedisError, OSError):
        return None
    return raw


def resource_stamp(resource: str) -> bytes | None:
    """The current version token of the core.cache `resource` of the active schema, raw (it
    changes on every `invalidate(resource)`, and when Redis loses it), started if there is
    none: for keeping derived values in a process and knowing when to drop them. Read through
    the near side (no Redis round trip while Redis has not said it changed), else one GET;
    None when Redis cannot be reached (keep nothing then)."""
    schema = current_schema_name()
    key = _stamp_keys.get((schema, resource))
    if key is None:  # make_key is a measurable share of an early-answered poll
        key = _stamp_keys[(schema, resource)] = cache.make_key(cache_read_keys(resource, "")[0])
    raw = _raw_resource_version(key)
    if raw is None and resource_version(resource) is not None:
        raw = _raw_resource_version(key)
    return raw


_stamp_keys: dict[tuple[str, str], str] = {}
