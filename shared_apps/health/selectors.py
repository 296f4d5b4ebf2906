"""Health checks: is this process able to serve (live), and are its dependencies up (ready)?"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from core.db import current_schema_name, tenant_connection, use_public_schema

CHECK_TIMEOUT_SECONDS = 2.0
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str
    duration_ms: float


def _timed(name: str, check: Callable[[], str]) -> CheckResult:
    started = time.perf_counter()
    try:
        detail = check()
        ok = True
    except Exception as exc:
        # The exception's text can name hosts, users or paths: it goes to the log only, the
        # answer says which kind of failure it was.
        logger.warning("readiness check %s failed", name, exc_info=True)
        detail = type(exc).__name__
        ok = False
    return CheckResult(name, ok, detail, round((time.perf_counter() - started) * 1000, 1))


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_redis() -> str:
    import redis

    client = redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=CHECK_TIMEOUT_SECONDS,
        socket_timeout=CHECK_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    finally:
        client.close()
    return "ok"


def _check_broker() -> str:
    # The current app is config's (created at start-up); the composition root is not imported.
    from celery import current_app

    with current_app.connection_for_write() as conn:
        # kombu takes fractional seconds; its stubs say int.
        conn.ensure_connection(max_retries=1, timeout=CHECK_TIMEOUT_SECONDS)  # type: ignore[arg-type]
    return "ok"


def _check_public_migrations() -> str:
    # Always about the public schema, whatever host asked.
    previous = current_schema_name()
    use_public_schema()
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    finally:
        if previous != current_schema_name():
            tenant_connection().set_schema(previous)
    if pending:
        raise RuntimeError(f"{len(pending)} public migrations pending")
    return "ok"


READINESS_CHECKS: dict[str, Callable[[], str]] = {
    "database": _check_database,
    "redis": _check_redis,
    "broker": _check_broker,
    "migrations": _check_public_migrations,
}


def readiness() -> list[CheckResult]:
    return [_timed(name, check) for name, check in READINESS_CHECKS.items()]
