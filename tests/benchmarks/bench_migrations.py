"""migrate_schemas over 1,000 tenant schemas: nothing to do (target < 30 s) and an additive
migration (target < 5 min), with dysa's parallel executor.

Baseline in the same run: django-tenants' standard executor (a full `migrate` per schema) on a
sample of schemas, extrapolated to the whole fleet (running it on all 1,000 takes too long to
be worth a benchmark). The additive migration (a new column on customers, a new table) is a
temporary migration module for the customers app (MIGRATION_MODULES), removed afterwards with
plain SQL so the fleet is back as it was.
"""

from __future__ import annotations

import logging
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.benchmarks.fleet import ensure_fleet
from tests.benchmarks.harness import BenchContext, prepare_bench_database, target

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
CLEANUP_SQL = """
ALTER TABLE {s}.customers_customer DROP COLUMN IF EXISTS bench_note;
DROP TABLE IF EXISTS {s}.customers_benchprobe;
DELETE FROM {s}.django_migrations WHERE app = 'customers' AND name = '0999_bench_additive';
DELETE FROM {s}.auth_permission WHERE content_type_id IN (
    SELECT id FROM {s}.django_content_type WHERE app_label = 'customers' AND model = 'benchprobe');
DELETE FROM {s}.django_content_type WHERE app_label = 'customers' AND model = 'benchprobe';
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
        "targets": {
            f"no-op migrate_schemas over {count} schemas": target(noop, 30, unit="s"),
            f"additive migration over {count} schemas": target(additive, 300, unit="s"),
        },
    }
