"""Time to a live new restaurant, with 10, 100 and 1,000 tenants present.

"Live" = the onboarding service returned (Restaurant and Domain rows, schema, secrets, owner
with a set-password link, the apps' initializers) AND the first request to the new host's API
answered 200. Three ways to make the schema, measured in the same run:

- spare: the default path, a schema cloned in advance is renamed (the pool is refilled by a
  Celery task after each onboarding; here it is refilled between samples, untimed);
- clone: no spare ready, the template script runs inside the onboarding transaction;
- migrations (baseline): the schema is made by running every migration (django-tenants'
  create_schema), the way it is done without a template.

Targets: p95 < 250 ms with 1,000 tenants present and >= 10x faster than the baseline. Also
reported: onboarding with a given owner password (PBKDF2 hashing is a deliberate fixed cost).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from tests.benchmarks.fleet import ensure_fleet, tenant_count
from tests.benchmarks.harness import BenchContext, prepare_bench_database, summarize_ms, target


class _Onboarder:
    def __init__(self) -> None:
        from django.test import Client

        # One client for the whole run, like a running server: its handler is built once.
        self.client = Client()

    def until_live(self, slug: str, *, password: str | None = None) -> float:
        from django.conf import settings

        from tenants.services import restaurant_onboard

        started = time.perf_counter()
        restaurant_onboard(
            slug=slug,
            name=f"Bench {slug}",
            owner_email=f"owner@{slug}.bench",
            owner_password=password,
        )
        response = self.client.get(
            "/api/v1/restaurant/", HTTP_HOST=f"{slug}.{settings.DYSA_BASE_DOMAIN}"
        )
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"{slug} not live: {response.status_code}")
        return elapsed

    def measure(
        self, count: int, *, password: str | None = None, before: Callable[[], object] = list
    ) -> list[float]:
        run = uuid.uuid4().hex[:6]
        slugs = [f"onb-{run}-{i}" for i in range(count)]
        samples = []
        try:
            for slug in slugs:
                before()
                samples.append(self.until_live(slug, password=password))
        finally:
            _remove(slugs)
        return samples


def _remove(slugs: list[str]) -> None:
    from datetime import timedelta

    from tenants.selectors import restaurant_get
    from tenants.services import restaurant_delete, restaurant_purge

    for slug in slugs:
        restaurant = restaurant_get(slug=slug)
        if restaurant is not None:
            restaurant_delete(restaurant=restaurant, force=True, grace=timedelta(0))
            restaurant_purge(restaurant=restaurant)


def _fresh_database() -> None:
    """A database of its own, recreated each run, so "N tenants present" is exactly N."""
    import psycopg
    from django.conf import settings
    from django.db import connections

    db = settings.DATABASES["default"]
    db["NAME"] = f"{db['NAME']}_onboarding"
    connections.close_all()
    admin_dsn = f"host={db['HOST']} port={db['PORT']} user={db['USER']} dbname=postgres" + (
        f" password={db['PASSWORD']}" if db.get("PASSWORD") else ""
    )
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}" WITH (FORCE)')
    prepare_bench_database()


def run(ctx: BenchContext) -> dict[str, object]:
    from django.test import override_settings

    from tenants import services
    from tenants.schema_template import spare_schemas_fill, template_sql

    logging.getLogger("audit").setLevel(logging.WARNING)  # one line per onboarding otherwise
    _fresh_database()
    template_sql()  # built once per migration state, not part of any onboarding
    # Refills happen here, between samples, instead of through the broker.
    services._request_spare_refill = lambda: None
    refill = lambda: spare_schemas_fill(target=1)  # noqa: E731
    onboarder = _Onboarder()
    levels = [10, 30] if ctx.quick else [10, 100, min(1000, ctx.tenants)]
    samples = ctx.size(40, 8)
    by_level: dict[str, Any] = {}
    for level in levels:
        ensure_fleet(level)
        present = tenant_count()
        onboarder.measure(2, before=refill)  # warm-up
        with override_settings(DYSA_SPARE_SCHEMAS=1):
            spare = summarize_ms(onboarder.measure(samples, before=refill))
        with override_settings(DYSA_SPARE_SCHEMAS=0):
            clone = summarize_ms(onboarder.measure(samples))
        by_level[str(level)] = {"tenants_present": present, "spare": spare, "clone": clone}
        print(f"  {present} tenants: spare {spare}", flush=True)  # noqa: T201
        print(f"  {present} tenants: clone {clone}", flush=True)  # noqa: T201

    original = services._current_template
    services._current_template = lambda: None
    try:
        baseline = summarize_ms(onboarder.measure(ctx.size(6, 2)))
    finally:
        services._current_template = original
    with override_settings(DYSA_SPARE_SCHEMAS=1):
        with_password = summarize_ms(
            onboarder.measure(ctx.size(10, 3), password="bench-owner-pass-1", before=refill)
        )
    top = by_level[str(levels[-1])]
    speedup = baseline["p50_ms"] / top["spare"]["p50_ms"]
    clone_speedup = baseline["p50_ms"] / top["clone"]["p50_ms"]
    return {
        "onboarding_by_tenants_present": by_level,
        "baseline_schema_by_migrations": baseline,
        "with_given_password_spare": with_password,
        "speedup_p50_vs_migrations": {"spare": round(speedup, 1), "clone": round(clone_speedup, 1)},
        "targets": {
            f"p95 with {top['tenants_present']} tenants present (spare)": target(
                top["spare"]["p95_ms"], 250, unit="ms"
            ),
            f"p95 with {top['tenants_present']} tenants present (clone)": target(
                top["clone"]["p95_ms"], 250, unit="ms"
            ),
            "faster than migrating a schema (spare)": target(
                speedup, 10, unit="x", higher_is_better=True
            ),
        },
    }
