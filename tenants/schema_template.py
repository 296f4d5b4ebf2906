"""New tenant schemas from a migrated template, in milliseconds instead of seconds.

The template schema `dysa_template` is created by running every tenant migration once. Its
DDL and data (migration records, content types, permissions, anything data migrations add)
are dumped with `pg_dump --inserts`, the schema name is replaced by a placeholder, and the
resulting SQL is stored in the public table `tenants_schematemplate`, keyed by a fingerprint
of the migration files on disk. A new schema is then one `CREATE SCHEMA` plus that script,
run inside the onboarding transaction (PostgreSQL DDL is transactional, so a failed
onboarding leaves no schema behind). See docs/adr/0002-template-schema-cloning.md.

When migration files change, the fingerprint changes and the next onboarding (or the next
`migrate_schemas`, which also migrates the template) rebuilds the template; no step to forget.
Without a usable `pg_dump` (missing, or not of the server's major version: tenants/pgtools.py),
schemas are created by running migrations (slow but correct).
"""

from __future__ import annotations

import hashlib
import logging
import re
import subprocess
import sys
import threading
import time
import uuid
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.db.migrations.loader import MigrationLoader

from core.db import use_public_schema
from tenants import pgtools
from tenants.migration_capture import migrate_one_capturing, replay_problem
from tenants.models import SchemaTemplate, SpareSchema
from tenants.schema_sql import (
    migration_digests,
    schema_create,
    schema_drop,
    schema_exists,
    schema_rename,
)

logger = logging.getLogger(__name__)

TEMPLATE_SCHEMA = "dysa_template"
PLACEHOLDER = "__dysa_schema__"
_SAFE_SCHEMA = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_QUALIFIED = re.compile(rf"\b{TEMPLATE_SCHEMA}\.")
# Session settings pg_dump emits at the top; they must not leak into the caller's session
# (an empty search_path would break every later query on the connection).
_SESSION_LINE = re.compile(r"^(SET \w+ = .*;|SELECT pg_catalog\.set_config\(.*\);)$")
_BUILD_LOCK_KEY = 0x6479_7361  # "dysa": serialises template builds across processes


class TemplateUnavailableError(RuntimeError):
    """No usable pg_dump to build a template with (the message says why); callers fall back
    to running migrations."""


# --- fingerprint ----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def migration_fingerprint() -> str:
    """A hash of every migration file (names and contents): the template's version.

    Contents count, not just names: an edited, not yet released migration changes the schema.
    Computed once per process; code does not change under a running process.
    """
    loader = MigrationLoader(None, ignore_no_migrations=True)
    digest = hashlib.sha256()
    for app_label, name in sorted(loader.disk_migrations):
        migration = loader.disk_migrations[(app_label, name)]
        module = sys.modules[type(migration).__module__]
        digest.update(f"{app_label}.{name}\n".encode())
        source = getattr(module, "__file__", None)
        if source:
            digest.update(Path(source).read_bytes())
    return digest.hexdigest()[:32]


# --- using the template ---------------------------------------------------------------------

_cached: dict[str, str] = {}


def _validated(schema_name: str) -> str:
    if not _SAFE_SCHEMA.match(schema_name) or schema_name in (TEMPLATE_SCHEMA, "public"):
        raise ValueError(f"not a tenant schema name: {schema_name!r}")
    return schema_name


def template_sql() -> str:
    """The current template script, built first if migrations changed since the last build.

    Call it before opening the onboarding transaction: a build commits on its own connection.
    """
    fingerprint = migration_fingerprint()
    sql = _cached.get(fingerprint)
    if sql is None:
        stored = SchemaTemplate.objects.filter(fingerprint=fingerprint).values_list(
            "sql", flat=True
        )
        sql = stored.first() or template_build()
        _cached.clear()
        _cached[fingerprint] = sql
    return sql


def schema_create_from_template(*, schema_name: str, sql: str | None = None) -> None:
    """Create `schema_name` as a copy of the template, in the caller's transaction."""
    schema_name = _validated(schema_name)
    script = (sql if sql is not None else template_sql()).replace(PLACEHOLDER, schema_name)
    with connection.cursor() as cursor:
        schema_create(schema_name)
        cursor.execute(script)


# --- building the template ------------------------------------------------------------------


def _pg_dump_path() -> str:
    """pg_dump of the server's major version, or TemplateUnavailableError saying why not."""
    try:
        return pgtools.pg_tools().pg_dump
    except pgtools.PgToolsError as error:
        raise TemplateUnavailableError(str(error)) from error


def template_build(*, incremental: bool = False) -> str:
    """Build (or, with `incremental`, migrate) the template schema and store its script.

    Runs in a thread of its own so that it has its own database connection and commits there:
    pg_dump can only see committed work, and the caller may be inside a transaction.
    """
    outcome: dict[str, object] = {}

    def work() -> None:
        try:
            outcome["sql"] = _build(incremental=incremental)
        except BaseException as error:
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=work, name="dysa-template-build")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    sql = str(outcome["sql"])
    _cached.clear()
    _cached[migration_fingerprint()] = sql
    return sql


def _build(*, incremental: bool) -> str:
    pg_dump = _pg_dump_path()
    fingerprint = migration_fingerprint()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [_BUILD_LOCK_KEY])
    try:
        if not incremental:
            existing = SchemaTemplate.objects.filter(fingerprint=fingerprint).first()
            if existing is not None:  # another process built it while we waited
                return str(existing.sql)
        started = time.perf_counter()
        if not incremental:
            schema_drop(TEMPLATE_SCHEMA)
        schema_create(TEMPLATE_SCHEMA, if_not_exists=True)
        call_command(
            "migrate_schemas",
            schema_name=TEMPLATE_SCHEMA,
            executor="standard",
            interactive=False,
            verbosity=0,
        )
        sql = template_script_from_dump(_dump_template(pg_dump))
        _store(sql, started)
        return sql
    finally:
        connection.set_schema_to_public()  # type: ignore[attr-defined]
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_BUILD_LOCK_KEY])


def _store(sql: str, started: float) -> None:
    fingerprint = migration_fingerprint()
    build_ms = int((time.perf_counter() - started) * 1000)
    SchemaTemplate.objects.exclude(fingerprint=fingerprint).delete()
    SchemaTemplate.objects.update_or_create(
        fingerprint=fingerprint,
        defaults={
            "sql": sql,
            "build_ms": build_ms,
            "migrations_digest": migration_digests([TEMPLATE_SCHEMA]).get(TEMPLATE_SCHEMA, ""),
        },
    )
    _cached.clear()
    _cached[fingerprint] = sql
    logger.info("tenant schema template built", extra={"build_ms": build_ms})


def _dump_template(pg_dump: str) -> str:
    command = [
        pg_dump,
        "--schema",
        TEMPLATE_SCHEMA,
        "--no-owner",
        "--no-privileges",
        "--inserts",
        "--rows-per-insert=500",
    ]
    done = subprocess.run(
        command, env=pgtools.pg_dump_env(), capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"pg_dump of the template schema failed: {done.stderr.strip()[:500]}")
    return done.stdout


def template_script_from_dump(dump: str) -> str:
    """pg_dump's output, minus session settings, psql meta-commands, comments and the
    CREATE SCHEMA (the caller creates the schema), with the schema name as a placeholder."""
    kept = [
        line
        for line in dump.splitlines()
        if not line.startswith(("\\", "--", f"CREATE SCHEMA {TEMPLATE_SCHEMA};"))
        and not _SESSION_LINE.match(line)
    ]
    return _QUALIFIED.sub(f"{PLACEHOLDER}.", "\n".join(kept)).strip() + "\n"


def refresh_template_for_migrations() -> None:
    """Bring the template up to the code's migrations before the tenants (migrate_schemas).

    The template migrates first and is the canary: a migration that fails here raises
    before any tenant schema is touched.
    """
    try:
        _pg_dump_path()
    except TemplateUnavailableError as error:
        logger.warning("template not refreshed: no usable pg_dump", extra={"reason": str(error)})
        return
    fingerprint = migration_fingerprint()
    if SchemaTemplate.objects.filter(fingerprint=fingerprint).exists() and _template_exists():
        return
    if _template_exists() and template_extend():
        return
    template_build(incremental=_template_exists())


class TemplateMigrationError(RuntimeError):
    """A migration failed in the template schema: no tenant schema should be migrated."""


# Statements that change nothing or only concern the capturing connection.
_NOT_IN_SCRIPT = re.compile(r"^\s*(SAVEPOINT|RELEASE\s+SAVEPOINT)\b", re.I)
_SCRIPT_SEARCH_PATH = (
    "SELECT pg_catalog.set_config('dysa.saved_search_path', "
    "pg_catalog.current_setting('search_path'), true);\n"
    f"SELECT pg_catalog.set_config('search_path', '{PLACEHOLDER}, public', true);\n"
)
_SCRIPT_RESTORE = (
    "SELECT pg_catalog.set_config('search_path', "
    "pg_catalog.current_setting('dysa.saved_search_path'), true);\n"
)


def template_extend() -> bool:
    """Migrate the template in place and append what the migration ran to its stored script,
    without a new pg_dump (which reads the whole catalog: ~40 s with 1,000 schemas).

    False when the stored script does not match the template's current state, or the
    captured statements cannot be replayed; the caller then dumps the template again.
    Raises TemplateMigrationError when a migration fails in the template (the canary).
    """
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [_BUILD_LOCK_KEY])
    try:
        before = migration_digests([TEMPLATE_SCHEMA]).get(TEMPLATE_SCHEMA, "")
        base = (
            SchemaTemplate.objects.filter(migrations_digest=before)
            .exclude(migrations_digest="")
            .first()
        )
        if base is None:
            return False
        (name, ok, error, _seconds), captured = migrate_one_capturing(TEMPLATE_SCHEMA)
        if not ok:
            raise TemplateMigrationError(f"{name}: {error}")
        kept = [s for s in captured if not _NOT_IN_SCRIPT.match(s[0])]
        rendered = _render(kept)
        if rendered is None:
            return False
        sql = base.sql + _SCRIPT_SEARCH_PATH + rendered + _SCRIPT_RESTORE
        if not _script_reproduces_template(sql):
            logger.warning("extended template script differs from the template: dumping it")
            return False
        _store(sql, started)
        return True
    finally:
        use_public_schema()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_BUILD_LOCK_KEY])


def _render(statements: list[tuple[str, Any, bool]]) -> str | None:
    """The statements as one SQL text with parameters inlined, or None if not replayable."""
    from psycopg import ClientCursor

    if replay_problem(statements, schema_name=TEMPLATE_SCHEMA):
        return None
    raw = connection.connection
    lines: list[str] = []
    with ClientCursor(raw) as client:
        for sql, params, many in statements:
            for one in params if many else [params]:
                text = client.mogrify(sql, one) if one else sql
                lines.append(text.rstrip().rstrip(";") + ";")
    return "\n".join(lines) + "\n"


def _script_reproduces_template(sql: str) -> bool:
    """Clone into a scratch schema (rolled back) and compare its migration records."""
    scratch = f"dysa_check_{uuid.uuid4().hex[:12]}"
    try:
        with transaction.atomic():
            schema_create_from_template(schema_name=scratch, sql=sql)
            digests = migration_digests([scratch, TEMPLATE_SCHEMA])
            transaction.set_rollback(True)
    except Exception:
        logger.warning("extended template script failed to run", exc_info=True)
        return False
    return bool(digests.get(scratch)) and digests.get(scratch) == digests.get(TEMPLATE_SCHEMA)


def _template_exists() -> bool:
    return schema_exists(TEMPLATE_SCHEMA)


# --- the spare pool -------------------------------------------------------------------------

SPARE_PREFIX = "dysa_spare_"
_FILL_LOCK_KEY = 0x6479_7370  # "dysp": one pool filler at a time


def schema_take_spare(*, schema_name: str) -> bool:
    """Turn a spare schema into `schema_name`, in the caller's transaction; False if none."""
    schema_name = _validated(schema_name)
    spare = (
        SpareSchema.objects.select_for_update(skip_locked=True)
        .filter(fingerprint=migration_fingerprint())
        .order_by("id")
        .first()
    )
    if spare is None:
        return False
    schema_rename(_validated(spare.schema_name), schema_name)
    spare.delete()
    return True


def spare_schemas_fill(*, target: int | None = None) -> int:
    """Drop spares of another migration state and clone new ones up to `target`.

    Returns how many were created; 0 at once if another process is filling.
    """
    target = settings.DYSA_SPARE_SCHEMAS if target is None else target
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [_FILL_LOCK_KEY])
        (locked,) = cursor.fetchone()
    if not locked:
        return 0
    try:
        sql = template_sql()
        fingerprint = migration_fingerprint()
        for stale in SpareSchema.objects.exclude(fingerprint=fingerprint):
            with transaction.atomic():
                schema_drop(_validated(stale.schema_name))
                stale.delete()
        created = 0
        while SpareSchema.objects.filter(fingerprint=fingerprint).count() < target:
            name = f"{SPARE_PREFIX}{uuid.uuid4().hex[:16]}"
            with transaction.atomic():
                schema_create_from_template(schema_name=name, sql=sql)
                SpareSchema.objects.create(schema_name=name, fingerprint=fingerprint)
            created += 1
        return created
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_FILL_LOCK_KEY])
