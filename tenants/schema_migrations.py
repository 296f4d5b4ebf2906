"""Migrations across every tenant schema: state per schema, and a parallel executor.

State comes from one query per batch of schemas against their `django_migrations` tables,
compared with the migrations on disk, so a status check over 1,000 schemas takes about a
second and a `migrate_schemas` with nothing to do skips every schema without starting a
migrate run in it.

The executor (`migrate_schemas` default, codename "parallel"):
1. migrates the template schema first, as a canary: if a migration fails there, no tenant
   schema is touched (and the template stays current for onboarding);
2. migrates only the schemas that have pending migrations, in DYSA_MIGRATION_WORKERS forked
   processes, each schema inside ONE transaction: a failure or a kill mid-run leaves that
   schema exactly as it was, and the next run resumes with the schemas still pending;
3. records failures (`schemas status` shows them as failed) and exits non-zero at the end.
Migrations declared `atomic = False` cannot run inside that transaction; run such a migration
with `--executor=standard`.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import sys
import time
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection, connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django_tenants.migration_executors import get_executor as tenants_get_executor
from django_tenants.migration_executors.base import MigrationExecutor, run_migrations

from core.db import tenant_connection, use_public_schema
from tenants import schema_template
from tenants.migration_capture import migrate_one, migrate_one_capturing, replay_problem
from tenants.models import Restaurant, SchemaMigrationFailure
from tenants.schema_sql import migration_digests

logger = logging.getLogger(__name__)

APPLIED = "applied"
PENDING = "pending"
FAILED = "failed"
MISSING = "missing"
AHEAD = "ahead"  # records migrations the code does not have (code older than the schema)
STATUS_BATCH = 250


@lru_cache(maxsize=1)
def expected_migrations() -> frozenset[tuple[str, str]]:
    """Every migration a fully migrated tenant schema records (all apps' migrations)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return frozenset(loader.graph.nodes)


def _digest(records: Iterable[tuple[str, str]]) -> str:
    text = ",".join(f"{app}.{name}" for app, name in sorted(records))
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


@dataclass
class SchemaState:
    schema_name: str
    slug: str
    state: str
    pending: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    error: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "schema_name": self.schema_name,
            "slug": self.slug,
            "state": self.state,
            "pending": self.pending,
            "unknown": self.unknown,
            "error": self.error,
        }


def _schemas_with_migration_table(schema_names: list[str]) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relname = 'django_migrations' AND c.relkind = 'r' "
            "AND n.nspname = ANY(%s)",
            [schema_names],
        )
        return {row[0] for row in cursor.fetchall()}


def _records(schema_name: str) -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT app, name FROM "{schema_name}".django_migrations')  # noqa: S608
        return {(row[0], row[1]) for row in cursor.fetchall()}


def tenant_schemas() -> list[tuple[str, str]]:
    """(schema_name, slug) of every registered restaurant, deleted ones included."""
    return list(
        Restaurant.objects.exclude(schema_name="public")
        .order_by("schema_name")
        .values_list("schema_name", "slug")
    )


def schemas_state(schemas: list[tuple[str, str]] | None = None) -> list[SchemaState]:
    """Each schema's migration state against the code."""
    use_public_schema()
    schemas = tenant_schemas() if schemas is None else schemas
    names = [name for name, _ in schemas]
    with_table = _schemas_with_migration_table(names)
    digests = migration_digests(sorted(with_table))
    expected = expected_migrations()
    expected_digest = _digest(expected)
    failures = dict(
        SchemaMigrationFailure.objects.filter(schema_name__in=names).values_list(
            "schema_name", "error"
        )
    )
    states = []
    for name, slug in schemas:
        if name not in with_table:
            states.append(SchemaState(name, slug, MISSING, error=failures.get(name, "")))
            continue
        if digests.get(name) == expected_digest:
            states.append(SchemaState(name, slug, APPLIED))
            continue
        records = _records(name)
        pending = sorted(f"{a}.{n}" for a, n in expected - records)
        unknown = sorted(f"{a}.{n}" for a, n in records - expected)
        state = (FAILED if name in failures else PENDING) if pending else AHEAD
        states.append(SchemaState(name, slug, state, pending, unknown, failures.get(name, "")))
    return states


# --- the executor ---------------------------------------------------------------------------


def _worker_init() -> None:
    # The parent closed its connections before forking; make sure no child ever reuses a
    # socket it inherited (closing it would end the parent's session too).
    for conn in connections.all(initialized_only=True):
        conn.connection = None


def workers() -> int:
    return max(1, int(settings.DYSA_MIGRATION_WORKERS))


@dataclass
class MigrationRun:
    total: int = 0
    up_to_date: int = 0
    migrated: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    # Why schemas were migrated one by one by Django instead of replaying ("" = replayed).
    full_migrate_reason: str = ""
    phase_seconds: dict[str, float] = field(default_factory=dict)

    def lap(self, phase: str, since: float) -> float:
        now = time.perf_counter()
        self.phase_seconds[phase] = round(self.phase_seconds.get(phase, 0.0) + now - since, 3)
        return now


def migrate_pending_schemas(
    *, progress: Callable[[int, int, int], None] | None = None
) -> MigrationRun:
    """Migrate every schema with pending migrations (see the module docstring)."""
    started = clock = time.perf_counter()
    schema_template.refresh_template_for_migrations()
    template_seconds = time.perf_counter() - started
    states = schemas_state()
    todo = [s.schema_name for s in states if s.state in (PENDING, FAILED, MISSING)]
    run = MigrationRun(total=len(states), up_to_date=len(states) - len(todo))
    run.phase_seconds["template"] = round(template_seconds, 3)
    clock = run.lap("status", clock + template_seconds)
    done = 0

    def record(result: tuple[str, bool, str, float]) -> None:
        nonlocal done
        name, ok, error, _seconds = result
        if ok:
            run.migrated.append(name)
        else:
            run.failed[name] = error
        done += 1
        if progress is not None:
            progress(done, len(todo), len(run.failed))

    for group in _replay_groups(todo):
        first, rest = group[0], group[1:]
        result, capture = _migrate_capturing(first)
        record(result)
        clock = run.lap("capture", clock)
        if not rest:
            continue
        if result[1] and capture.replayable:
            _REPLAY.statements = capture.statements
            _REPLAY.expected_digest = capture.digest_after
            task: Callable[[str], tuple[str, bool, str, float]] = _replay_one
        else:
            run.full_migrate_reason = capture.reason or "the first schema of its group failed"
            task = migrate_one
        for outcome in _in_workers(task, rest):
            record(outcome)
        clock = run.lap("replay" if task is _replay_one else "full_migrate", clock)
    _record_outcomes(run)
    if settings.DYSA_SPARE_SCHEMAS > 0:
        schema_template.spare_schemas_fill()  # spares of the old migration state are dropped
    run.lap("spares", clock)
    run.seconds = time.perf_counter() - started
    return run


def _in_workers(
    task: Callable[[str], tuple[str, bool, str, float]], schemas: list[str]
) -> Iterator[tuple[str, bool, str, float]]:
    if len(schemas) < 2 or workers() < 2:
        yield from (task(name) for name in schemas)
        return
    connections.close_all()
    context = multiprocessing.get_context("fork")
    with context.Pool(processes=min(workers(), len(schemas)), initializer=_worker_init) as pool:
        yield from pool.imap_unordered(task, schemas, chunksize=8)


# --- capture once, replay everywhere ---------------------------------------------------------
#
# Django's migrate costs most of a second per schema (loading the graph, rendering model
# states) although the SQL it runs is the same for every schema in the same state. So the first
# schema of a group (same migration records, content types and permissions) is migrated by
# Django with every statement captured; the others replay those statements, each in its own
# transaction, and are checked to end with the same migration records. Replay is refused (every
# schema then gets a full migrate) when the plan has operations that are not plain SQL
# (RunPython), non-atomic migrations, post_migrate receivers other than Django's own, a captured
# statement naming the schema, or a rolled-back savepoint.

_SAFE_POST_MIGRATE = {
    "django.contrib.auth.management.create_permissions",
    "django.contrib.contenttypes.management.create_contenttypes",
}


@dataclass
class Capture:
    statements: list[tuple[str, Any, bool]] = field(default_factory=list)
    replayable: bool = False
    reason: str = ""
    digest_after: str = ""


@dataclass
class _ReplayState:
    statements: list[tuple[str, Any, bool]] = field(default_factory=list)
    expected_digest: str = ""


_REPLAY = _ReplayState()  # set in the parent before forking; workers read their copy


def _replay_groups(schemas: list[str]) -> list[list[str]]:
    """Pending schemas grouped by identical migration, content type and permission rows
    (and the positions of the sequences that number new ones)."""
    if not schemas:
        return []
    keys: dict[str, str] = {}
    with_table = _schemas_with_migration_table(schemas)
    for start in range(0, len(schemas), STATUS_BATCH):
        batch = [name for name in schemas[start : start + STATUS_BATCH] if name in with_table]
        if not batch:
            continue
        query = " UNION ALL ".join(
            f"SELECT %s, "  # noqa: S608 - schema names come from the registry, quoted
            f"(SELECT md5(string_agg(app || '.' || name, ',' ORDER BY app, name)) "
            f'FROM "{name}".django_migrations) || '
            f"(SELECT md5(coalesce(string_agg(id || app_label || '.' || model, ',' ORDER BY id),"
            f" '')) FROM \"{name}\".django_content_type) || "
            f"(SELECT md5(coalesce(string_agg(id || '.' || content_type_id || codename, ',' "
            f"ORDER BY id), '')) FROM \"{name}\".auth_permission) || "
            # Rows the migration inserts get ids from these sequences, and permissions refer
            # to content types by id: equal rows AND equal sequence positions, or no replay.
            f"{_sequence_position(name, 'django_content_type')} || "
            f"{_sequence_position(name, 'auth_permission')}"
            for name in batch
        )
        with connection.cursor() as cursor:
            cursor.execute(query, batch)
            keys.update({row[0]: row[1] for row in cursor.fetchall()})
    groups: dict[str, list[str]] = {}
    for name in schemas:
        groups.setdefault(keys.get(name, f"alone:{name}"), []).append(name)
    return sorted(groups.values(), key=len, reverse=True)


def _sequence_position(schema_name: str, table: str) -> str:
    return (
        "coalesce(pg_sequence_last_value(pg_get_serial_sequence("
        f"'\"{schema_name}\".{table}', 'id')::regclass)::text, '-')"
    )


def _plan_problem(schema_name: str) -> str:
    """Why a schema's pending plan cannot be replayed elsewhere ("" if it can)."""
    from django.db.migrations.executor import MigrationExecutor as DjangoExecutor
    from django.db.models.signals import post_migrate

    tenant_connection().set_schema(schema_name)
    try:
        executor = DjangoExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    finally:
        use_public_schema()
    for migration, backwards in plan:
        if backwards or not migration.atomic:
            return f"{migration.app_label}.{migration.name} is not atomic"
        for operation in migration.operations:
            if not operation.reduces_to_sql:
                return f"{migration.app_label}.{migration.name} runs Python"
    for receiver in post_migrate.receivers:
        target = receiver[1]
        func = target() if isinstance(target, weakref.ReferenceType) else target
        name = f"{getattr(func, '__module__', '')}.{getattr(func, '__qualname__', '')}"
        if name not in _SAFE_POST_MIGRATE:
            return f"post_migrate receiver {name}"
    return ""


def _migrate_capturing(schema_name: str) -> tuple[tuple[str, bool, str, float], Capture]:
    capture = Capture()
    try:
        capture.reason = _plan_problem(schema_name)
    except Exception as error:
        capture.reason = f"plan unavailable: {type(error).__name__}"

    result, statements = migrate_one_capturing(schema_name)
    if not result[1] or capture.reason:
        return result, capture
    capture.reason = replay_problem(statements, schema_name=schema_name)
    if not capture.reason:
        capture.statements = statements
        capture.digest_after = migration_digests([schema_name]).get(schema_name, "")
        capture.replayable = bool(capture.digest_after)
    return result, capture


def _replay_one(schema_name: str) -> tuple[str, bool, str, float]:
    """Replay the captured statements in one schema, in one transaction; on any surprise,
    fall back to a full migrate of that schema."""
    started = time.perf_counter()
    try:
        with transaction.atomic():
            tenant_connection().set_schema(schema_name)
            with connection.cursor() as cursor:
                for sql, params, many in _REPLAY.statements:
                    if many:
                        cursor.executemany(sql, params)
                    else:
                        cursor.execute(sql, params)
            if migration_digests([schema_name]).get(schema_name) != _REPLAY.expected_digest:
                raise _ReplayMismatchError(schema_name)
    except Exception as error:
        # The replay rolled back; Django migrates this schema instead.
        logger.warning(
            "replay failed, migrating with Django instead",
            extra={"schema_name": schema_name, "error": f"{type(error).__name__}: {error}"[:500]},
        )
        use_public_schema()
        return migrate_one(schema_name)
    finally:
        use_public_schema()
    return schema_name, True, "", time.perf_counter() - started


class _ReplayMismatchError(RuntimeError):
    """A replayed schema did not end with the captured schema's migration records."""


def _record_outcomes(run: MigrationRun) -> None:
    use_public_schema()
    SchemaMigrationFailure.objects.filter(schema_name__in=run.migrated).delete()
    for name, error in run.failed.items():
        SchemaMigrationFailure.objects.update_or_create(
            schema_name=name, defaults={"error": error, "failed_at": timezone.now()}
        )


class ParallelExecutor(MigrationExecutor):
    """django-tenants executor: pending schemas only, one transaction each, in parallel."""

    codename = "parallel"
    # Options that change what migrate does; with any of them, django-tenants' own standard
    # executor runs instead (targets, fakes, plans and checks are per-schema operations).
    _SPECIAL = (
        "app_label",
        "migration_name",
        "fake",
        "fake_initial",
        "plan",
        "prune",
        "check_unapplied",
        "run_syncdb",
    )

    def _is_plain(self) -> bool:
        return not any(self.options.get(option) for option in self._SPECIAL)

    def run_migrations(self, tenants: list[str] | None = None) -> None:
        tenants = list(tenants or [])
        if self.PUBLIC_SCHEMA_NAME in tenants:
            run_migrations(self.args, self.options, self.codename, self.PUBLIC_SCHEMA_NAME)
            tenants.remove(self.PUBLIC_SCHEMA_NAME)
        if not tenants:
            return
        if not self._is_plain() or len(tenants) == 1:
            standard = tenants_get_executor("standard")(self.args, self.options)
            standard.run_migrations(tenants=tenants)
            return
        verbose = int(self.options.get("verbosity", 1)) >= 1
        run = migrate_pending_schemas(progress=_progress_printer() if verbose else None)
        if verbose:
            sys.stdout.write(
                f"[parallel] {run.total} schemas: {run.up_to_date} already up to date, "
                f"{len(run.migrated)} migrated, {len(run.failed)} failed "
                f"in {run.seconds:.1f}s\n"
            )
        if run.failed:
            for name, error in sorted(run.failed.items()):
                sys.stderr.write(f"[parallel:{name}] FAILED {error.splitlines()[-1]}\n")
            raise CommandError(
                f"{len(run.failed)} schema(s) failed to migrate and were left unchanged; "
                "fix and rerun (`schemas status` lists them)"
            )

    def run_multi_type_migrations(self, tenants: list[Any]) -> None:
        raise NotImplementedError("dysa has a single tenant type")


def _progress_printer() -> Callable[[int, int, int], None]:
    last = [0.0]

    def show(done: int, total: int, failed: int) -> None:
        now = time.monotonic()
        if done < total and now - last[0] < 1.0:
            return
        last[0] = now
        sys.stdout.write(
            f"[parallel] migrated {done}/{total} schemas ({100 * done // total}%), "
            f"{failed} failed\n"
        )
        sys.stdout.flush()

    return show


def get_executor(codename: str | None = None) -> type[MigrationExecutor]:
    """settings.GET_EXECUTOR_FUNCTION: "parallel" unless another executor is asked for."""
    if codename in (None, "", ParallelExecutor.codename):
        return ParallelExecutor
    executor: type[MigrationExecutor] = tenants_get_executor(codename)
    return executor
