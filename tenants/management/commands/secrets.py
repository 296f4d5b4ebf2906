"""`secrets rotate <slug> [--kind K]`, `secrets rotate-master`, `secrets list|set <slug>`."""

from __future__ import annotations

import sys
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandParser

from core.actors import Actor
from core.cli import DysaCommand
from tenants import secrets
from tenants.selectors import restaurant_get


class Command(DysaCommand):
    help = "Rotate per-tenant secrets and master keys; list or set a tenant's secrets."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        rotate = actions.add_parser(
            "rotate", help="new version of a tenant's generated secrets (no restart needed)"
        )
        rotate.add_argument("slug", help='restaurant slug, or "public" for the platform keys')
        rotate.add_argument(
            "--kind",
            choices=secrets.GENERATED_KINDS,
            help="only this secret (default: all generated kinds)",
        )
        rotate.add_argument(
            "--grace",
            type=int,
            default=None,
            metavar="SECONDS",
            help="how long the previous JWT key still verifies (default "
            "DYSA_JWT_KEY_GRACE_SECONDS; 0 after a leak)",
        )
        master = actions.add_parser(
            "rotate-master",
            help="re-encrypt every secret with the first of DYSA_MASTER_KEYS (resumable)",
        )
        master.add_argument("--batch-size", type=int, default=200)
        listing = actions.add_parser("list", help="kinds and versions stored (never values)")
        listing.add_argument("slug")
        setter = actions.add_parser(
            "set",
            help="store a restaurant-supplied secret, read from stdin (not argv: "
            "shell history and process lists would keep it)",
        )
        setter.add_argument("slug")
        setter.add_argument("kind", help=f"e.g. {', '.join(secrets.SUPPLIED_KINDS)}")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "rotate-master":
            self._rotate_master(options["batch_size"])
            return
        schema_name = self._schema_for(options["slug"])
        try:
            if action == "rotate":
                self._rotate(schema_name, options["kind"], options["grace"])
            elif action == "list":
                rows = secrets.secret_kinds(schema_name=schema_name)
                self.emit(
                    {"schema_name": schema_name, "secrets": rows},
                    "\n".join(
                        f"{r['kind']:<24} v{r['version']}{'  current' if r['current'] else ''}"
                        for r in rows
                    )
                    or "no secrets stored yet",
                )
            else:
                value = sys.stdin.readline().rstrip("\n")
                secrets.secret_set(
                    schema_name=schema_name, kind=options["kind"], value=value, actor=Actor.cli()
                )
                self.emit(
                    {"schema_name": schema_name, "kind": options["kind"], "stored": True},
                    f"stored {options['kind']} for {schema_name}",
                )
        except ValidationError as error:
            raise self.fail("; ".join(error.messages)) from None

    def _schema_for(self, slug: str) -> str:
        if slug == secrets.PUBLIC_SCHEMA:
            return slug
        restaurant = restaurant_get(slug=slug)
        if restaurant is None:
            raise self.fail(f"no restaurant with slug {slug!r}")
        return str(restaurant.schema_name)

    def _rotate(self, schema_name: str, kind: str | None, grace: int | None) -> None:
        kinds = [kind] if kind else list(secrets.GENERATED_KINDS)
        grace_delta = timedelta(seconds=grace) if grace is not None else None
        rotated = [
            {
                "kind": k,
                "version": secrets.secret_rotate(
                    schema_name=schema_name, kind=k, grace=grace_delta, actor=Actor.cli()
                ),
            }
            for k in kinds
        ]
        self.emit(
            {"schema_name": schema_name, "rotated": rotated},
            "\n".join(f"{schema_name}: {r['kind']} is now v{r['version']}" for r in rotated),
        )

    def _rotate_master(self, batch_size: int) -> None:
        report = secrets.master_key_rotate(
            batch_size=batch_size,
            progress=lambda done, total: self.progress(done, total, "re-encrypted "),
            actor=Actor.cli(),
        )
        payload = {
            "total": report.total,
            "reencrypted": report.reencrypted,
            "already_current": report.already_current,
            "failed": report.failed,
        }
        self.emit(
            payload,
            f"{report.reencrypted} re-encrypted, {report.already_current} already under the "
            f"first master key, {len(report.failed)} failed",
        )
        if report.failed:
            raise self.fail(
                f"{len(report.failed)} secret(s) could not be decrypted: "
                + ", ".join(report.failed)
            )
