from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils.module_loading import import_string
from django_tenants.utils import schema_context

from tenants.demo import DEMO_RESTAURANTS, DemoRestaurant
from tenants.models import Restaurant
from tenants.selectors import restaurant_get, restaurant_primary_url
from tenants.services import restaurant_onboard


def _run_demo_seeders(restaurant: Restaurant, demo: DemoRestaurant) -> None:
    with schema_context(restaurant.schema_name):
        for dotted_path in settings.DYSA_DEMO_SEEDERS:
            import_string(dotted_path)(restaurant=restaurant, demo=dict(demo))


class Command(BaseCommand):
    help = (
        "Create the three demo restaurants (Spanish and English menus, opening hours, owner "
        "accounts). Idempotent: existing demo restaurants are left as they are."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        report = []
        for index, demo in enumerate(DEMO_RESTAURANTS, start=1):
            restaurant = restaurant_get(slug=demo["slug"])
            created = restaurant is None
            if restaurant is None:
                restaurant = restaurant_onboard(
                    slug=demo["slug"],
                    name=demo["name"],
                    owner_email=demo["owner_email"],
                    owner_password=demo["owner_password"],
                    locale=demo["locale"],
                    timezone=demo["timezone"],
                    currency=demo["currency"],
                    enforce_password_policy=False,  # README's documented demo password
                ).restaurant
                _run_demo_seeders(restaurant, demo)
            url = restaurant_primary_url(restaurant)
            report.append(
                {
                    "slug": demo["slug"],
                    "url": url,
                    "created": created,
                    "owner_email": demo["owner_email"],
                }
            )
            if not options["json"]:
                state = "created" if created else "exists "
                self.stdout.write(
                    f"[{index}/{len(DEMO_RESTAURANTS)}] {state} {demo['name']:<18} {url}"
                )
        if options["json"]:
            self.stdout.write(json.dumps(report))
