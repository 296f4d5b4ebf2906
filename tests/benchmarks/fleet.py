"""A fleet of restaurants in the benchmark database, for benchmarks that need N tenants.

Onboarded once (fast: template schemas, no password hashing) and kept between runs; later runs
only add what is missing and migrate schemas that fell behind the code.
"""

from __future__ import annotations

import sys
import time

FLEET_PREFIX = "fleet-"


def fleet_slug(index: int) -> str:
    return f"{FLEET_PREFIX}{index:05d}"


def ensure_fleet(count: int) -> list[str]:
    """Make sure restaurants fleet-00000 .. fleet-<count-1> exist and are migrated."""
    from tenants.models import Restaurant
    from tenants.schema_migrations import migrate_pending_schemas
    from tenants.services import restaurant_onboard

    wanted = [fleet_slug(i) for i in range(count)]
    existing = set(
        Restaurant.objects.filter(slug__startswith=FLEET_PREFIX).values_list("slug", flat=True)
    )
    missing = [slug for slug in wanted if slug not in existing]
    started = time.perf_counter()
    for done, slug in enumerate(missing, start=1):
        restaurant_onboard(slug=slug, name=f"Fleet {slug[-5:]}", owner_email=f"owner@{slug}.bench")
        if done % 100 == 0 or done == len(missing):
            print(  # noqa: T201
                f"  fleet: onboarded {done}/{len(missing)} ({time.perf_counter() - started:.0f}s)",
                file=sys.stderr,
                flush=True,
            )
    if not missing:
        migrate_pending_schemas()
    return wanted


def tenant_count() -> int:
    from tenants.models import Restaurant

    count: int = Restaurant.objects.exclude(schema_name="public").count()
    return count
