"""migrate_schemas over 1,000 tenant schemas: nothing to do (target < 30 s) and an additive
migration (target < 5 min), with dysa's parallel executor.

Baseline in the same run: django-tenants' standard executor (a full `migrate` per schema) on a
sample of schemas, extrapolated to the whole fleet (running it on all 1,000 takes too long to
be worth a benchmark). The additive migration (a new column on customers, a new table) is a
temporary migration module for the customers app (MIGRATION_MODULES), removed afterwards with
plain SQL so the fleet is back as it was.

Killed and resumed: a second additive migration runs in a `migrate_schemas` subprocess that is
SIGKILLed (with its workers) once about half the schemas have it; the figures are how many
schemas were done, how many were half migrated (must be 0) and how long the rerun took.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.benchmarks.fleet import ensure_fleet
from tests.benchmarks.harness import ROOT, BenchContext, prepare_bench_database, target

APP = "customers"
BENCH_MODULE = "bench_customers_migrations"
BENCH_MIGRATION = "0999_bench_additive"
MIGRATION_TEMPLATE = """from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("{app}", "{leaf}")]

    operations = [
        migrations.AddField(
            "customer", "bench_note", models.CharField(max_length=40, blank=True, default="")
        ),
        migrations.CreateModel(
            "BenchProbe",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("label", models.CharField(max_length=20)),
            ],
        ),
    ]
"""
KILLED_MIGRATION = "1000_bench_killed"
KILLED_TEMPLATE = """from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("{app}", "{previous}")]

    operations = [
        migrations.CreateModel(
            "BenchKilled",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("label", models.CharField(max_length=20)),
            ],
        ),
        migrations.AddField(
            "customer", "bench_killed_note", models.CharField(max_length=40, blank=True, default="")
        ),
    ]
"""
# Runs migrate_schemas with the temporary migration module, in a process that can be killed.
KILLABLE_RUN = """import sys
sys.path[:0] = {paths!r}
import django
django.setup()
from django.core.management import call_command
from django.test import override_settings
with override_settings(MIGRATION_MODULES={modules!r}):
    call_command("migrate_schemas", tenant=True, verbosity=0)
"""
CLEANUP_SQL = """
ALTER TABLE {s}.customers_customer DROP COLUMN IF EXISTS bench_note;
ALTER TABLE {s}.customers_customer DROP COLUMN IF EXISTS bench_killed_note;
DROP TABLE IF EXISTS {s}.customers_benchprobe;
DROP TABLE IF EXISTS {s}.customers_benchkilled;
DELETE FROM {s}.django_migrations WHERE app = 'customers'
    AND name IN ('0999_bench_additive', '1000_bench_killed');
DELETE FROM {s}.auth_permission WHERE content_type_id IN (
    SELECT id FROM {s}.django_content_type WHERE app_label = 'customers'
    AND model IN ('benchprobe', 'benchkilled'));
DELETE FROM {s}.django_content_type WHERE app_label = 'customers'
    AND model IN ('benchprobe', 'benchkilled');
"""


def _timed_migrate_schemas(phases: dict[str, Any] | None = None) -> float:
    """migrate_schemas --tenant, timed; the executor's phase timings go into `phases`."""
    from django.core.management import call_command

    from tenants import schema_migrations

    original = schema_migrations.migrate_pending_schemas

    def keeping_phases(**kwargs: Any) -> Any:
        run = original(**kwargs)
        if phases is not None:
            phases.update(run.phase_seconds, full_migrate_reason=run.full_migrate_reason)
        return run

    schema_migrations.migrate_pending_schemas = keeping_phases
    started = time.perf_counter()
    try:
        call_command("migrate_schemas", tenant=True, verbosity=0)
    finally:
        schema_migrations.migrate_pending_schemas = original
    return time.perf_counter() - started


def _standard_per_schema(schemas: list[str]) -> float:
    """Mean seconds per schema of django-tenants' standard executor."""
    from django.core.management import call_command

    started = time.perf_counter()
    for schema in schemas:
        call_command("migrate_schemas", schema_name=schema, executor="standard", verbosity=0)
    return (time.perf_counter() - started) / len(schemas)


def _clear_caches() -> None:
    from tenants import schema_migrations, schema_template

    schema_template.migration_fingerprint.cache_clear()
    schema_migrations.expected_migrations.cache_clear()


def _bench_module(tmp: Path) -> str:
    from django.db.migrations.loader import MigrationLoader

    migrations_package = __import__(f"tenant_apps.{APP}.migrations", fromlist=["_"])
    source = Path(str(migrations_package.__file__)).parent
    package = tmp / BENCH_MODULE
    shutil.copytree(source, package, ignore=shutil.ignore_patterns("__pycache__"))
    leaf = MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes(APP)[0][1]
    (package / f"{BENCH_MIGRATION}.py").write_text(MIGRATION_TEMPLATE.format(app=APP, leaf=leaf))
    sys.path.insert(0, str(tmp))
    return BENCH_MODULE


def _killed_parts(schemas: list[str]) -> list[tuple[str, bool, bool, bool]]:
    """(schema, has the migration record, has its table, has its column) of each schema."""
    from django.db import connection

    parts = []
    with connection.cursor() as cursor:
        for start in range(0, len(schemas), 250):
            batch = schemas[start : start + 250]
            cursor.execute(
                " UNION ALL ".join(
                    f"SELECT %s, EXISTS (SELECT 1 FROM {s}.django_migrations "  # noqa: S608
                    f"WHERE app = '{APP}' AND name = '{KILLED_MIGRATION}'), "
                    f"to_regclass('{s}.customers_benchkilled') IS NOT NULL, "
                    "EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = %s "
                    "AND table_name = 'customers_customer' AND column_name = 'bench_killed_note')"
                    for s in batch
                ),
                [value for s in batch for value in (s, s)],
            )
            parts.extend(cursor.fetchall())
    return parts


def _wait_for_other_sessions_to_end(timeout: float = 60) -> None:
    """A killed client's backends roll back when they notice, at the end of a statement."""
    from django.db import connection

    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.1)


def _killed_then_resumed(tmp: Path, module: str, schemas: list[str]) -> dict[str, Any]:
    """Kill a migrate_schemas run (process group) about half way; time the rerun."""
    from django.test import override_settings

    package = tmp / module
    (package / f"{KILLED_MIGRATION}.py").write_text(
        KILLED_TEMPLATE.format(app=APP, previous=BENCH_MIGRATION)
    )
    code = KILLABLE_RUN.format(
        paths=[str(ROOT), str(ROOT / "platform"), str(tmp)], modules={APP: module}
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, start_new_session=True, env=os.environ.copy()
    )
    done_at_kill = -1
    started = time.perf_counter()
    while process.poll() is None:
        done = sum(1 for _s, record, _t, _c in _killed_parts(schemas) if record)
        if done >= len(schemas) // 2:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            done_at_kill = done
            break
        time.sleep(0.1)
    killed_after = time.perf_counter() - started
    _wait_for_other_sessions_to_end()
    parts = _killed_parts(schemas)
    half = [s for s, *found in parts if len(set(found)) != 1]
    migrated = sum(1 for _s, record, _t, _c in parts if record)
    phases: dict[str, Any] = {}
    with override_settings(MIGRATION_MODULES={APP: module}):
        _clear_caches()
        resume = _timed_migrate_schemas(phases)
    return {
        "caught_mid_run": done_at_kill >= 0,
        "killed_after_seconds": round(killed_after, 2),
        "migrated_before_kill": migrated,
        "pending_after_kill": len(schemas) - migrated,
        "half_migrated": len(half),
        "resume_seconds": round(resume, 2),
        "resume_phases": phases,
        "all_migrated_after_resume": all(r for _s, r, _t, _c in _killed_parts(schemas)),
    }


def _cleanup(schemas: list[str]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for schema in schemas:
            cursor.execute(CLEANUP_SQL.format(s=schema))


def run(ctx: BenchContext) -> dict[str, object]:
    from django.test import override_settings

    from tenants.schema_migrations import tenant_schemas
    from tenants.schema_template import TEMPLATE_SCHEMA, template_build

    logging.getLogger("audit").setLevel(logging.WARNING)
    prepare_bench_database()
    size = ctx.size(min(1000, ctx.tenants), 50)
    ensure_fleet(size)
    schemas = [name for name, _ in tenant_schemas()]
    sample = schemas[: ctx.size(20, 5)]

    _timed_migrate_schemas()  # settle anything pending before measuring
    noop_phases: dict[str, Any] = {}
    noop = _timed_migrate_schemas(noop_phases)
    noop_standard = _standard_per_schema(sample)

    additive_phases: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        module = _bench_module(Path(tmp))
        try:
            with override_settings(MIGRATION_MODULES={APP: module}):
                _clear_caches()
                additive = _timed_migrate_schemas(additive_phases)
                _cleanup(sample)
                additive_standard = _standard_per_schema(sample)
            killed = _killed_then_resumed(Path(tmp), module, schemas)
        finally:
            _cleanup([*schemas, TEMPLATE_SCHEMA])
            sys.path.remove(tmp)
            _clear_caches()
            template_build()  # back to the real migration state

    count = len(schemas)
    return {
        "schemas": count,
        "noop": {
            "parallel_seconds": round(noop, 2),
            "phases": noop_phases,
            "standard_seconds_per_schema": round(noop_standard, 3),
            "standard_estimated_seconds": round(noop_standard * count, 1),
        },
        "additive": {
            "parallel_seconds": round(additive, 2),
            "parallel_ms_per_schema": round(1000 * additive / count, 1),
            "phases": additive_phases,
            "standard_seconds_per_schema": round(additive_standard, 3),
            "standard_estimated_seconds": round(additive_standard * count, 1),
        },
        "killed_and_resumed": killed,
        "targets": {
            f"no-op migrate_schemas over {count} schemas": target(noop, 30, unit="s"),
            f"additive migration over {count} schemas": target(additive, 300, unit="s"),
        },
    }
