"""Shared pieces for benchmarks: timing statistics and result files under `.bench/`.

A benchmark module is `tests/benchmarks/bench_<name>.py` exposing

    def run(ctx: BenchContext) -> dict[str, object]

that measures its subject AND a baseline in the same run, and returns figures (JSON-serialisable)
including a `targets` dict of {"<what>": {"value": ..., "target": "...", "met": bool}}.
The runner prints them and writes `.bench/<name>.json`.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BENCH_DIR = ROOT / ".bench"


@dataclass
class BenchContext:
    """What a benchmark may scale by; `quick` shrinks sizes for a smoke run."""

    quick: bool = False
    tenants: int = 1000
    notes: list[str] = field(default_factory=list)

    def size(self, full: int, quick: int) -> int:
        return quick if self.quick else full


def percentile(samples: list[float], pct: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def summarize_ms(samples_seconds: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in samples_seconds]
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "p99_ms": round(percentile(ms, 99), 2),
        "mean_ms": round(statistics.fmean(ms), 2) if ms else float("nan"),
        "max_ms": round(max(ms), 2) if ms else float("nan"),
    }


def time_calls(fn: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return samples


@contextmanager
def stopwatch() -> Iterator[Callable[[], float]]:
    started = time.perf_counter()
    elapsed: list[float] = []
    yield lambda: elapsed[0] if elapsed else time.perf_counter() - started
    elapsed.append(time.perf_counter() - started)


def target(
    value: float, limit: float, *, unit: str, higher_is_better: bool = False
) -> dict[str, Any]:
    met = value >= limit if higher_is_better else value <= limit
    sign = ">=" if higher_is_better else "<"
    return {"value": round(value, 3), "target": f"{sign} {limit} {unit}", "met": met}


def write_result(name: str, result: dict[str, Any]) -> Path:
    BENCH_DIR.mkdir(exist_ok=True)
    path = BENCH_DIR / f"{name}.json"
    stamped = {
        "benchmark": name,
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        **result,
    }
    path.write_text(json.dumps(stamped, indent=2, default=str))
    return path


def prepare_bench_database() -> None:
    """Create the benchmark database if needed and bring the public schema up to date."""
    import psycopg
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    db = settings.DATABASES["default"]
    admin_dsn = f"host={db['HOST']} port={db['PORT']} user={db['USER']} dbname=postgres" + (
        f" password={db['PASSWORD']}" if db.get("PASSWORD") else ""
    )
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{db["NAME"]}"')
    connection.close()
    call_command("migrate_schemas", shared=True, verbosity=0)


BENCH_OWNER_PASSWORD = "bench-pass-123"


def bench_restaurant(slug: str, *, name: str, owner_email: str = "") -> Any:
    """The benchmark's restaurant `slug`, onboarded on first use and kept between runs."""
    from tenants.selectors import restaurant_get
    from tenants.services import restaurant_onboard

    return restaurant_get(slug=slug) or (
        restaurant_onboard(
            slug=slug,
            name=name,
            owner_email=owner_email or f"owner@{slug}.example",
            owner_password=BENCH_OWNER_PASSWORD,
        ).restaurant
    )


def celery_worker(
    *, broker: str, log_name: str, options: list[str], env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """A Celery worker process with the bench settings on `broker` (a Redis database of the
    benchmark's own), logging to .bench/`log_name`; stop it with os.killpg(worker.pid, ...)."""
    BENCH_DIR.mkdir(exist_ok=True)
    command = [sys.executable, "-m", "celery", "-A", "config.celery_app", "worker", *options]
    quiet = ["--loglevel", "WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"]
    with (BENCH_DIR / log_name).open("wb") as log:
        return subprocess.Popen(
            [*command, *quiet],
            cwd=ROOT,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "config.settings.bench",
                "REDIS_URL": broker,
                "PYTHONPATH": str(ROOT / "platform") + os.pathsep + str(ROOT),
                **(env or {}),
            },
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,
        )
