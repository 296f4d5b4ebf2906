"""gunicorn settings for dysa (`gunicorn -c infra/gunicorn.conf.py config.wsgi`).

Process model (docs/operations.md, "Capacity planning"):
- Sync workers: the app is database-bound with short requests; with persistent connections
  (DATABASE_CONN_MAX_AGE) each worker holds one PostgreSQL connection.
- The app is preloaded in the master and its URL configurations and views imported there, so a
  worker forks with everything in memory: a recycled worker (`max_requests`) starts in
  milliseconds instead of importing (and, without compiled bytecode, compiling) the project.
- Workers default to what the CPUs and the memory limit allow (cgroup limits included), never
  more than 2 x CPUs + 1; WEB_CONCURRENCY overrides.
- A worker leaving (recycled or stopped) skips the interpreter's shutdown: tearing down the
  whole app took 3-8 s per worker on the benchmark machine, and gunicorn starts the replacement
  only once the old process is gone, so workers recycled together left none to serve (requests
  waited up to 8 s; `make bench soak` and docs/operations.md, "Process model").
- The bind address (DYSA_WEB_BIND) is where gunicorn listens inside the host or container; it has
  nothing to do with DYSA_PUBLIC_PORT, the port in the links browsers follow (nginx's).
"""

from __future__ import annotations

import logging
import math
import os
import sys
from pathlib import Path
from typing import Any

# Budget for one sync worker after preload: measured RSS ~100 MB, ~60 MB of it its own (USS) on
# the menu/order mix of `make bench soak` (docs/operations.md, "Capacity planning"), plus room.
WORKER_MEMORY_MB_DEFAULT = 160
# Memory kept free for the master, page cache and spikes.
RESERVED_MEMORY_MB = 256


def _cgroup_cpus() -> float | None:
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()
    except (OSError, ValueError):
        return None
    return None if quota == "max" else int(quota) / int(period)


def _memory_limit_mb() -> int | None:
    try:
        raw = Path("/sys/fs/cgroup/memory.max").read_text().strip()
    except OSError:
        raw = "max"
    if raw != "max":
        return int(raw) // (1024 * 1024)
    try:
        pages, page_size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError):
        return None
    return int(pages * page_size) // (1024 * 1024)


def worker_count(
    *, cpus: float, memory_mb: int | None, worker_memory_mb: int = WORKER_MEMORY_MB_DEFAULT
) -> int:
    """Sync workers for this many CPUs and this much memory: 2 x CPUs + 1, capped by memory."""
    by_cpu = 2 * max(1, math.ceil(cpus)) + 1
    if memory_mb is None:
        return by_cpu
    by_memory = max(1, (memory_mb - RESERVED_MEMORY_MB) // worker_memory_mb)
    return max(1, min(by_cpu, by_memory))


def _default_workers() -> int:
    cpus = _cgroup_cpus() or float(len(os.sched_getaffinity(0)))
    worker_memory = int(os.environ.get("DYSA_WEB_WORKER_MEMORY_MB", WORKER_MEMORY_MB_DEFAULT))
    return worker_count(cpus=cpus, memory_mb=_memory_limit_mb(), worker_memory_mb=worker_memory)


bind = os.environ.get("DYSA_WEB_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or _default_workers())
worker_class = "sync"
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() not in ("0", "false", "no")
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycling bounds slow memory growth. With the app preloaded the fork is cheap, but the new
# worker starts with cold per-process caches (hosts, menus, connections): `make bench soak` at
# 1,000 restaurants measured ~770 requests' worth of a warm worker's time per recycle, so
# recycling every 5,000 cost ~13 % of throughput and every 20,000 ~4 %; no memory growth was
# seen (docs/operations.md, "Capacity planning"). The jitter keeps workers from recycling
# together.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = max(0, max_requests // 10)
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
# Only the proxy in front may set X-Forwarded-* for gunicorn itself (Django reads them through
# SECURE_PROXY_SSL_HEADER and DYSA_TRUSTED_PROXIES).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
wsgi_app = "config.wsgi:application"
# Request line and header limits (nginx enforces the body size).
limit_request_line = 8190
# No control socket: it would go to $HOME/.gunicorn/ (read-only in the Kubernetes pods, and
# shared by every gunicorn of a user), and nothing here uses it.
control_socket_disable = True


def when_ready(server: Any) -> None:
    """With the app preloaded, import what the first request would, before any fork; then
    close whatever the master connected to, so no worker inherits (and shares) its sockets."""
    if not preload_app:
        return
    from django.conf import settings
    from django.db import connections
    from django.urls import get_resolver

    # The restaurant hosts' URLconf and the platform's (absent in a bare benchmark app).
    for urlconf in (settings.ROOT_URLCONF, getattr(settings, "PUBLIC_SCHEMA_URLCONF", None)):
        if urlconf:
            get_resolver(urlconf).reverse_dict  # noqa: B018 (imports every view module)
    connections.close_all()


def _exit_code(leaving: BaseException | None) -> int:
    if leaving is None:
        return 0
    if isinstance(leaving, SystemExit):
        return leaving.code if isinstance(leaving.code, int) else int(leaving.code is not None)
    return 1


def worker_exit(server: Any, worker: Any) -> None:
    """Close connections, flush logs and error reports, then leave at once with gunicorn's own
    exit code (boot errors must still reach the master as such)."""
    if os.getpid() != worker.pid:  # also called in the master for a worker already gone
        return
    code = _exit_code(sys.exc_info()[1])
    from django.db import connections

    connections.close_all()
    try:
        import sentry_sdk

        sentry_sdk.flush(timeout=2)
    except ImportError:
        pass
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
