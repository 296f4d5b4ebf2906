"""Backups: one big tenant end to end, and the nightly run over many small tenants.

Both against moto's S3 server over HTTP on loopback, with the real (embedded) PostgreSQL.

- big: a tenant with ~100k rows: backup (pg_dump in a snapshot + manifest + encrypt + upload),
  then verify (download + authenticate + restore into a scratch schema + compare + drop).
  Target < 10 s. Baseline: a bare `pg_dump -Fc` of the same schema to a local file.
- nightly: a backup run over N small tenants and the platform with DYSA_BACKUP_CONCURRENCY
  batches of DYSA_BACKUP_BATCH_SIZE. Target < 20 min for 1,000. Baseline: bare `pg_dump -Fc`
  of single schemas (what one pg_dump per tenant would cost), on a sample.
"""

from __future__ import annotations

import logging
import os
import statistics
import subprocess
import time
import uuid
from typing import Any

from tests.benchmarks.harness import BenchContext, bench_restaurant, prepare_bench_database, target

BIG_SLUG = "bk-bench-big"
SMALL_PREFIX = "bk-bench-"
MB = 1024 * 1024


def _start_s3() -> tuple[Any, str]:
    import boto3
    from botocore.config import Config
    from django.conf import settings
    from moto.server import ThreadedMotoServer

    from tests.shared_apps.backups.s3_servers import free_port

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per S3 request otherwise
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    os.environ.update(
        AWS_ENDPOINT_URL_S3=endpoint,
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION="us-east-1",
    )
    bucket = f"dysa-bench-{uuid.uuid4().hex[:8]}"
    boto3.client(
        "s3", endpoint_url=endpoint, config=Config(s3={"addressing_style": "path"})
    ).create_bucket(Bucket=bucket)
    settings.DYSA_BACKUP_URL = f"s3://{bucket}/bench"
    return server, settings.DYSA_BACKUP_URL


def _ensure_restaurant(slug: str) -> str:
    return str(bench_restaurant(slug, name=f"Bench {slug}").schema_name)


def _fill_big(schema_name: str, rows: int) -> None:
    from django.db import connection

    from tests.shared_apps.backups.factories import PROBE_TABLE, fill_backup_probe

    fill_backup_probe(schema_name)  # the probe table's shape, then many more rows
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{schema_name}".{PROBE_TABLE} (label, note, price, payload, at) '  # noqa: S608
            "SELECT 'Pedido nº' || i || ' 🍕 jalapeño', repeat('línea ', i %% 20), "
            "(i %% 5000) * 0.05, jsonb_build_object('i', i, 'items', i %% 7), "
            "now() - i * interval '1 minute' FROM generate_series(1, %s) AS i",
            [rows - 250],
        )
        cursor.execute(f'ANALYZE "{schema_name}".{PROBE_TABLE}')


def _bare_pg_dump_seconds(schema_name: str, *, planner_fix: bool = True) -> tuple[float, int]:
    from tenants import pgtools

    tools = pgtools.pg_tools()
    started = time.perf_counter()
    done = subprocess.run(  # the baseline: what any backup of this schema must at least do
        [tools.pg_dump, "--format=custom", f"--schema={schema_name}", "--no-sync"],
        env={**pgtools.pg_dump_env(), **({} if planner_fix else {"PGOPTIONS": ""})},
        capture_output=True,
        check=True,
    )
    return time.perf_counter() - started, len(done.stdout)


def _bench_big(ctx: BenchContext) -> dict[str, Any]:
    from shared_apps.backups import services

    rows = ctx.size(100_000, 10_000)
    schema_name = _ensure_restaurant(BIG_SLUG)
    _fill_big(schema_name, rows)
    baseline_seconds, baseline_bytes = _bare_pg_dump_seconds(schema_name)

    started = time.perf_counter()
    record = services.backup_create(schema_name=schema_name)
    backup_seconds = time.perf_counter() - started
    started = time.perf_counter()
    services.backup_verify(record=record)
    verify_seconds = time.perf_counter() - started
    total = backup_seconds + verify_seconds
    tables = record.manifest["fingerprint"]["tables"]
    return {
        "rows": sum(t["rows"] for t in tables.values()),
        "tables": len(tables),
        "dump_plain_mb": round((record.plain_size_bytes or 0) / MB, 2),
        "stored_encrypted_mb": round((record.size_bytes or 0) / MB, 2),
        "backup_seconds": round(backup_seconds, 2),
        "verified_restore_seconds": round(verify_seconds, 2),
        "end_to_end_seconds": round(total, 2),
        "throughput_rows_per_s": round(rows / total),
        "baseline_bare_pg_dump_seconds": round(baseline_seconds, 2),
        "baseline_bare_pg_dump_mb": round(baseline_bytes / MB, 2),
        "backup_vs_bare_pg_dump": round(backup_seconds / baseline_seconds, 2),
        "target": target(total, 10, unit="s"),
    }


def _bench_nightly(ctx: BenchContext) -> dict[str, Any]:
    from django.conf import settings

    from shared_apps.backups import services
    from shared_apps.backups.models import BackupRecord

    count = ctx.size(ctx.tenants, 20)
    started = time.perf_counter()
    schemas = [_ensure_restaurant(f"{SMALL_PREFIX}{n:04d}") for n in range(1, count + 1)]
    onboarding_seconds = time.perf_counter() - started
    sample = schemas[:: max(1, len(schemas) // 3)][:3]
    baseline = [_bare_pg_dump_seconds(name)[0] for name in sample]
    naive = _bare_pg_dump_seconds(schemas[-1], planner_fix=False)[0]

    run = services.backup_run_start(schema_names=["public", *schemas])
    started = time.perf_counter()
    summary = services.backup_run_execute(run=run)
    seconds = time.perf_counter() - started
    records = list(BackupRecord.objects.filter(run=run, status="succeeded"))
    durations = sorted(r.duration_seconds or 0.0 for r in records)
    total_bytes = sum(r.size_bytes or 0 for r in records)
    per_1000 = seconds / (count + 1) * 1001
    return {
        "tenants": count,
        "concurrency": run.concurrency,
        "batch_size": settings.DYSA_BACKUP_BATCH_SIZE,
        "schemas_backed_up": summary.get("succeeded"),
        "failed": summary.get("failed"),
        "seconds": round(seconds, 1),
        "projected_seconds_for_1000": round(per_1000, 1),
        # From its batch's start (the shared pg_dump) to its manifest being stored.
        "record_latency_p50_ms": round(statistics.median(durations) * 1000, 1),
        "record_latency_p95_ms": round(durations[int(0.95 * (len(durations) - 1))] * 1000, 1),
        "stored_mb": round(total_bytes / MB, 2),
        "mean_backup_kb": round(total_bytes / max(len(records), 1) / 1024, 1),
        "throughput_schemas_per_s": round(len(records) / seconds, 2),
        # One pg_dump per schema, as a naive nightly run would do (catalogue read each time).
        "baseline_bare_pg_dump_per_schema_p50_ms": round(statistics.median(baseline) * 1000, 1),
        "baseline_without_planner_fix_ms": round(naive * 1000, 1),
        "baseline_projected_seconds_for_1000": round(
            statistics.median(baseline) * 1001 / run.concurrency, 1
        ),
        "onboarding_seconds_for_missing_tenants": round(onboarding_seconds, 1),
        "target": target(per_1000 / 60, 20, unit="min (projected for 1,000)"),
    }


def run(ctx: BenchContext) -> dict[str, Any]:
    prepare_bench_database()
    server, url = _start_s3()
    try:
        big = _bench_big(ctx)
        nightly = _bench_nightly(ctx)
    finally:
        server.stop()
    return {
        "storage": url,
        "big_tenant": big,
        "nightly": nightly,
        "targets": {
            "big tenant backup + verified restore": big["target"],
            "nightly run over 1,000 tenants": nightly["target"],
        },
    }
