"""`support_index [SLUG ...] [--rebuild]`: bring the support search index up to date now (every
live restaurant without slugs), or rebuild restaurants' rows from scratch (ADR 0010)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from core.cli import DysaCommand
from core.db import use_public_schema
from tenant_apps.support_access.indexing import support_index_sync
from tenants.models import Restaurant
from tenants.selectors import restaurant_list


class Command(DysaCommand):
    help = "Sync or rebuild the cross-restaurant support search index (public schema)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slugs", nargs="*", help="restaurants (default: every live one)")
        parser.add_argument(
            "--rebuild", action="store_true", help="drop the restaurants' rows and index all"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        use_public_schema()
        restaurants = list(restaurant_list().exclude(status=Restaurant.Status.DELETED))
        if options["slugs"]:
            wanted = set(options["slugs"])
            restaurants = [r for r in restaurants if r.slug in wanted]
            missing = wanted - {r.slug for r in restaurants}
            if missing:
                raise self.fail(f"no live restaurant {', '.join(sorted(missing))}")
        rows = []
        for done, restaurant in enumerate(restaurants, start=1):
            result = support_index_sync(restaurant=restaurant, rebuild=options["rebuild"])
            rows.append(
                {"slug": restaurant.slug, "upserted": result.upserted, "dropped": result.dropped}
            )
            self.progress(done, len(restaurants), restaurant.slug)
        self.emit(
            rows,
            "\n".join(f"{r['slug']:<30} {r['upserted']} rows, {r['dropped']} dropped" for r in rows)
            or "no restaurants",
        )
