from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shared_apps.health.selectors import readiness


class Command(BaseCommand):
    help = "Check database, Redis, broker and public migrations; exit 1 when unhealthy."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        results = readiness()
        healthy = all(result.ok for result in results)
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "status": "ok" if healthy else "unavailable",
                        "checks": {
                            r.name: {"ok": r.ok, "detail": r.detail, "ms": r.duration_ms}
                            for r in results
                        },
                    }
                )
            )
        else:
            for result in results:
                mark = self.style.SUCCESS("ok  ") if result.ok else self.style.ERROR("FAIL")
                self.stdout.write(
                    f"{mark} {result.name:<11} {result.detail} ({result.duration_ms} ms)"
                )
        if not healthy:
            raise CommandError("unhealthy", returncode=1)
