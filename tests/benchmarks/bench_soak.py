"""`make bench soak`: the production process model under steady load, and worker recycling.

1. Throughput of the cached menu GET over N restaurants (default 1,000) under three gunicorn
   set-ups in the same run: no recycling (the baseline), recycling with the app preloaded (the
   production default, infra/gunicorn.conf.py) and recycling without preload. Recycling is
   made frequent (every ~RECYCLE_EVERY requests per worker) so a short run sees many recycles.
2. The soak: the production set-up at 70 % of its measured saturation for DYSA_SOAK_SECONDS
   (600 by default; --quick: 20 s over 20 restaurants), cached menu reads with one order created
   in every ten requests. Reported: errors (target 0), p50/p99,
   and the memory (RSS and USS) of the web workers and of the PostgreSQL backends serving them,
   at the start and at the end.

Not part of the default `make bench` run (it takes 10+ minutes): name it.
"""

from __future__ import annotations

import os
from typing import Any

import psutil

from tests.benchmarks.bench_api import (
    Gunicorn,
    Request,
    ensure_tenants,
    load,
    menu_requests,
    order_requests,
    say,
    tokens_reissued,
    warm_up,
)
from tests.benchmarks.harness import BenchContext, prepare_bench_database, target

# Low enough that every worker recycles several times in a saturation window on this machine.
RECYCLE_EVERY = 200
# One order created for every ORDER_EVERY requests in the soak, so the database is in the loop
# (cached menu reads alone never reach it).
ORDER_EVERY = 10
SATURATION_SECONDS = 10.0
# infra/gunicorn.conf.py's default GUNICORN_MAX_REQUESTS.
PRODUCTION_MAX_REQUESTS = 20000


def _mb(value: float) -> float:
    return round(value / (1024 * 1024), 1)


def _memory_of(pids: list[int]) -> dict[str, Any]:
    rss, uss, seen = 0, 0, 0
    for pid in pids:
        try:
            info = psutil.Process(pid).memory_full_info()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        rss, uss, seen = rss + info.rss, uss + info.uss, seen + 1
    return {
        "processes": seen,
        "rss_mb_total": _mb(rss),
        "uss_mb_total": _mb(uss),
        "uss_mb_each": _mb(uss / seen) if seen else 0.0,
    }


def _web_workers(server: Gunicorn) -> list[int]:
    return [child.pid for child in psutil.Process(server.process.pid).children()]


def _database_backends() -> list[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        )
        return [int(row[0]) for row in cursor.fetchall()]


def _memory(server: Gunicorn) -> dict[str, Any]:
    return {
        "web_workers": _memory_of(_web_workers(server)),
        "postgres_backends": _memory_of(_database_backends()),
    }


def _recycle_cost(ratio: float) -> dict[str, float]:
    """What one recycle costs, in requests a warm worker would have served meanwhile (the cold
    process: connections, host and menu copies), from the throughput ratio at RECYCLE_EVERY;
    and the ratio that cost gives at the production setting (GUNICORN_MAX_REQUESTS default)."""
    if ratio <= 0:
        return {}
    cost = RECYCLE_EVERY * (1 / ratio - 1)
    return {
        "recycle_cost_requests": round(cost, 1),
        f"projected_ratio_every_{PRODUCTION_MAX_REQUESTS}": round(
            PRODUCTION_MAX_REQUESTS / (PRODUCTION_MAX_REQUESTS + cost), 3
        ),
    }


def _saturation(extra_env: dict[str, str], requests: list[Request]) -> dict[str, Any]:
    with Gunicorn("config.wsgi:application", "config.settings.bench", extra_env) as server:
        warm_up(server.port, requests, seconds=3.0, per_pair=2)
        workers_before = set(_web_workers(server))
        result = load(server.port, requests, duration=SATURATION_SECONDS)
        result["workers_replaced"] = len(workers_before - set(_web_workers(server)))
        return result


def run(ctx: BenchContext) -> dict[str, object]:
    from django.db import connections

    prepare_bench_database()
    count = ctx.size(ctx.tenants, 20)
    soak_seconds = float(os.environ.get("DYSA_SOAK_SECONDS") or ctx.size(600, 20))
    say(f"preparing {count} tenants (first run onboards and seeds them)...")
    tenants = ensure_tenants(count, say)
    requests = menu_requests(tenants)
    connections.close_all()
    recycling = {"GUNICORN_MAX_REQUESTS": str(RECYCLE_EVERY)}

    say("saturation: no recycling / recycling + preload / recycling without preload...")
    setups = {
        "no_recycling": {"GUNICORN_MAX_REQUESTS": "0"},
        "recycling_preloaded": {**recycling, "GUNICORN_PRELOAD": "true"},
        "recycling_not_preloaded": {**recycling, "GUNICORN_PRELOAD": "false"},
    }
    results: dict[str, Any] = {
        "tenants": count,
        "recycle_every_requests": RECYCLE_EVERY,
        "saturation_seconds": SATURATION_SECONDS,
        "soak_seconds": soak_seconds,
        "soak_mix": f"cached menu GET, one order create in {ORDER_EVERY}",
    }
    for label, env in setups.items():
        say(f"  {label}...")
        results[f"saturation_{label}"] = _saturation(env, requests)
    baseline = results["saturation_no_recycling"]["rps"]
    for label in ("recycling_preloaded", "recycling_not_preloaded"):
        entry = results[f"saturation_{label}"]
        entry["ratio_to_no_recycling"] = round(entry["rps"] / baseline, 3) if baseline else 0.0
        entry.update(_recycle_cost(entry["ratio_to_no_recycling"]))

    production = {"GUNICORN_MAX_REQUESTS": str(PRODUCTION_MAX_REQUESTS), "GUNICORN_PRELOAD": "true"}
    # Tokens minted while preparing would expire inside a 10-minute soak.
    tenants = tokens_reissued(tenants, seconds=int(soak_seconds) + 600)
    orders = order_requests(tenants)
    mixed = [
        orders[i // ORDER_EVERY % len(orders)] if i % ORDER_EVERY == ORDER_EVERY - 1 else request
        for i, request in enumerate(requests * ORDER_EVERY)
    ]
    connections.close_all()
    with Gunicorn("config.wsgi:application", "config.settings.bench", production) as server:
        warm_up(server.port, mixed, seconds=3.0, per_pair=2)
        saturation = load(server.port, mixed, duration=SATURATION_SECONDS)
        rate = saturation["rps"] * 0.7
        say(f"soak: {soak_seconds:.0f} s at {rate:.0f} req/s (70 % of {saturation['rps']})...")
        start_memory = _memory(server)
        soak = load(server.port, mixed, duration=soak_seconds, rate=rate)
        end_memory = _memory(server)
    errors = sum(n for code, n in soak["statuses"].items() if not code.startswith("2"))
    results["soak"] = {
        "saturation_rps": saturation["rps"],
        "rate_rps": round(rate, 1),
        **soak,
        "errors": errors,
        "memory_start": start_memory,
        "memory_end": end_memory,
    }
    results["targets"] = {
        "soak_errors": target(errors, 0, unit="errors"),
        # Recycling every RECYCLE_EVERY only makes the cost visible in a short window; what
        # production pays is that cost at its own setting.
        "recycling_preloaded_at_production_setting": target(
            results["saturation_recycling_preloaded"].get(
                f"projected_ratio_every_{PRODUCTION_MAX_REQUESTS}", 0.0
            ),
            0.9,
            unit="x of no recycling",
            higher_is_better=True,
        ),
    }
    results["targets"]["soak_errors"]["met"] = errors == 0
    return results


if __name__ == "__main__":  # pragma: no cover - run through `make bench soak`
    raise SystemExit("run with: make bench soak")
