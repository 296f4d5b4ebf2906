"""`schemas status`: each tenant schema's migration state against the code.
`schemas citus-check`: what Citus schema-based sharding would reject (tenants/citus_check.py)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.management.base import CommandParser

from core.cli import DysaCommand
from tenants.management.citus_check_output import citus_check_report
from tenants.schema_migrations import APPLIED, schemas_state


class Command(DysaCommand):
    help = "Migration state of every tenant schema (applied, pending, failed, missing, ahead)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        status = actions.add_parser(
            "status", help="per-schema migration state; exits 1 when any schema drifts"
        )
        status.add_argument(
            "--all", action="store_true", help="list up-to-date schemas too (default: drift only)"
        )
        actions.add_parser(
            "citus-check",
            help="report what Citus schema-based sharding would reject; exits 1 on any error",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "citus-check":
            citus_check_report(self)
            return
        states = schemas_state()
        counts = Counter(state.state for state in states)
        drift = [state for state in states if state.state != APPLIED]
        shown = states if options["all"] else drift
        summary = ", ".join(f"{n} {state}" for state, n in sorted(counts.items())) or "none"
        lines = [
            f"{s.schema_name:<32} {s.slug:<28} {s.state:<8} "
            + (f"{len(s.pending)} pending: {', '.join(s.pending[:3])}" if s.pending else "")
            + (f" unknown: {', '.join(s.unknown[:3])}" if s.unknown else "")
            + (f" last error: {s.error.splitlines()[-1][:120]}" if s.error else "")
            for s in shown
        ]
        lines.append(f"{len(states)} tenant schemas: {summary}")
        self.emit(
            {
                "total": len(states),
                "counts": dict(counts),
                "drift": bool(drift),
                "schemas": [s.as_dict() for s in shown],
            },
            "\n".join(lines),
        )
        if drift:
            raise self.fail(f"{len(drift)} schema(s) differ from the code")
