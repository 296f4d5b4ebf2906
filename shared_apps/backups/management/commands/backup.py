"""`manage.py backup create|list|restore|verify|prune`: backups of restaurants and the platform.

Results go to stdout (a table, or JSON with --json); progress goes to stderr, so `--json` output
stays machine-readable.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.actors import Actor
from shared_apps.backups import selectors, services
from shared_apps.backups.errors import BackupError
from shared_apps.backups.models import BackupRecord

PUBLIC = selectors.PUBLIC_SCHEMA


def _size(value: int | None) -> str:
    if value is None:
        return "-"
    size = float(value)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


def record_json(record: BackupRecord) -> dict[str, Any]:
    tables = (record.manifest.get("fingerprint") or {}).get("tables") or {}
    return {
        "id": record.pk,
        "schema": record.schema_name,
        "slug": record.slug,
        "kind": record.kind,
        "status": record.status,
        "attempt": record.attempt,
        "created_at": record.created_at.isoformat(),
        "started_at": record.started_at.isoformat() if record.started_at else None,
        "finished_at": record.finished_at.isoformat() if record.finished_at else None,
        "seconds": record.duration_seconds,
        "size_bytes": record.size_bytes,
        "plain_size_bytes": record.plain_size_bytes,
        "sha256": record.checksum_sha256 or None,
        "storage_url": record.storage_url,
        "dump_key": record.dump_key or None,
        "manifest_key": record.manifest_key or None,
        "tables": len(tables),
        "rows": sum(int(t.get("rows", 0)) for t in tables.values()),
        "verify_status": record.verify_status or None,
        "verified_at": record.verified_at.isoformat() if record.verified_at else None,
        "verify_error": record.verify_error or None,
        "error": record.error or None,
    }


class ProgressDisplay:
    """One updating line on a terminal, a line per stage otherwise (logs, CI)."""

    def __init__(self, stream: TextIO, *, enabled: bool = True) -> None:
        self.stream = stream
        self.enabled = enabled
        self.tty = stream.isatty()
        self._stage = ""
        self._last = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if stage == self._stage and now - self._last < 0.2 and (not total or done < total):
            return
        new_stage, self._stage, self._last = stage != self._stage, stage, now
        amount = f"{_size(done)} / {_size(total)}" if total else (_size(done) if done else "")
        if self.tty:
            self.stream.write(f"\r\033[K  {stage:<9} {amount}")
            self.stream.flush()
        elif new_stage:
            self.stream.write(f"  {stage}...\n")

    def line(self, text: str) -> None:
        if not self.enabled:
            return
        if self.tty:
            self.stream.write("\r\033[K")
        self.stream.write(text + "\n")
        self.stream.flush()

    def done(self) -> None:
        if self.enabled and self.tty and self._stage:
            self.stream.write("\r\033[K")
            self.stream.flush()
        self._stage = ""


class Command(BaseCommand):
    help = (
        "Back up, list, restore, verify and prune backups of restaurants and of the platform "
        "(public schema). The storage target is DYSA_BACKUP_URL. Run `backup <subcommand> --help`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="SUBCOMMAND")

        create = sub.add_parser(
            "create", help="back up one restaurant, all of them, or the platform"
        )
        target = create.add_mutually_exclusive_group(required=True)
        target.add_argument("slug", nargs="?", help="restaurant slug ('public' = the platform)")
        target.add_argument(
            "--all",
            action="store_true",
            help="every restaurant and the platform (as the nightly run does)",
        )
        target.add_argument("--public", action="store_true", help="the platform's public schema")
        create.add_argument(
            "--concurrency",
            type=int,
            default=None,
            help="backups at once with --all (default DYSA_BACKUP_CONCURRENCY)",
        )
        create.add_argument(
            "--verify",
            action="store_true",
            help="verify each new backup by restoring it into a scratch schema",
        )
        create.add_argument(
            "--attempts",
            type=int,
            default=None,
            help="tries on storage failures (default DYSA_BACKUP_MAX_ATTEMPTS)",
        )

        listing = sub.add_parser("list", help="list backups, newest first")
        listing.add_argument("slug", nargs="?", help="only this restaurant ('public' = platform)")
        listing.add_argument("--limit", type=int, default=50, help="at most this many (0: all)")
        listing.add_argument(
            "--include-pruned", action="store_true", help="also show backups removed by retention"
        )

        restore = sub.add_parser(
            "restore",
            help="restore a backup into a new schema (default) or in place",
            description="Restores the latest (or --backup) backup of a restaurant. By default "
            "into a new schema <schema>_r<timestamp>; --in-place replaces the live schema after "
            "taking a safety backup of it, restoring beside it, verifying, and swapping "
            "atomically.",
        )
        restore.add_argument("slug", help="restaurant slug ('public' = the platform)")
        restore.add_argument(
            "--backup",
            help="backup ID, or a storage key under DYSA_BACKUP_URL "
            "(for disaster recovery without records)",
        )
        where = restore.add_mutually_exclusive_group()
        where.add_argument("--into", metavar="SCHEMA", help="new schema to restore into")
        where.add_argument(
            "--in-place",
            action="store_true",
            help="replace the live schema (a safety backup is taken first)",
        )

        verify = sub.add_parser("verify", help="restore into a scratch schema and compare")
        verify.add_argument("slug", help="restaurant slug ('public' = the platform)")
        verify.add_argument("--backup", type=int, help="backup ID (default: the latest)")

        prune = sub.add_parser("prune", help="delete backups the retention policy does not keep")
        prune.add_argument("--dry-run", action="store_true", help="only list what would go")

        for subparser in (create, listing, restore, verify, prune):
            subparser.add_argument("--json", action="store_true", help="print the result as JSON")

    # --- plumbing -----------------------------------------------------------------------------

    def handle(self, *args: Any, **options: Any) -> None:
        self.as_json = bool(options["json"])
        # The raw stream behind self.stderr: the display writes partial lines on a terminal.
        stream = getattr(self.stderr, "_out", sys.stderr)
        self.progress = ProgressDisplay(stream, enabled=not self.as_json)
        handler = getattr(self, f"handle_{options['action']}")
        try:
            handler(options)
        except BackupError as exc:
            self.progress.done()
            if self.as_json:
                self.stdout.write(
                    json.dumps({"ok": False, "error": str(exc), "kind": type(exc).__name__})
                )
            raise CommandError(str(exc), returncode=1) from exc

    def emit(self, data: Any, text: str) -> None:
        self.stdout.write(
            json.dumps(data, ensure_ascii=False, default=str) if self.as_json else text
        )

    def schema_for(self, slug: str) -> str:
        schema_name = selectors.schema_name_for_backups(slug=slug)
        if schema_name is None:
            raise CommandError(f"no restaurant and no backups for '{slug}'")
        return schema_name

    def record_for(self, schema_name: str, backup_id: int | None) -> BackupRecord:
        if backup_id is None:
            record = selectors.backup_latest_succeeded(schema_name=schema_name)
            if record is None:
                raise CommandError(f"{schema_name} has no successful backup")
            return record
        record = selectors.backup_get(backup_id=backup_id)
        if record is None or record.schema_name != schema_name:
            raise CommandError(f"backup {backup_id} is not a backup of {schema_name}")
        return record

    # --- subcommands ----------------------------------------------------------------------------

    def handle_create(self, options: dict[str, Any]) -> None:
        from django.conf import settings

        if options["all"]:
            self.create_all(options)
            return
        schema_name = PUBLIC if options["public"] else self.schema_for(options["slug"])
        self.progress.line(f"backing up {schema_name} to {settings.DYSA_BACKUP_URL}")
        attempts = options["attempts"] or settings.DYSA_BACKUP_MAX_ATTEMPTS
        record = services.backup_create(
            schema_name=schema_name,
            progress=self.progress,
            attempts=attempts,
            retry_delay=5,
            actor=Actor.cli(),
        )
        if options["verify"]:
            services.backup_verify(record=record, progress=self.progress, actor=Actor.cli())
        self.progress.done()
        self.emit(
            {"ok": True, "backup": record_json(record)},
            self.style.SUCCESS(
                f"backup {record.pk} of {schema_name}: {_size(record.size_bytes)} in "
                f"{record.duration_seconds:.1f}s -> {record.dump_key}"
                + (" (verified)" if record.verify_status == "passed" else "")
            ),
        )

    def create_all(self, options: dict[str, Any]) -> None:
        run = services.backup_run_start(
            kind=BackupRecord.Kind.MANUAL, concurrency=options["concurrency"]
        )
        total = run.records.count()
        self.progress.line(
            f"backing up {total} schemas, {run.concurrency} at a time (run {run.pk})"
        )
        finished = [0]

        def on_step(step: services.RunStep) -> None:
            for record in step.records:
                finished[0] += 1
                ok = record.status == BackupRecord.Status.SUCCEEDED
                detail = _size(record.size_bytes) if ok else record.error
                mark = "ok  " if ok else "FAIL"
                self.progress.line(f"[{finished[0]}/{total}] {mark} {record.schema_name} {detail}")

        summary = services.backup_run_execute(run=run, on_step=on_step)
        verified_failures = 0
        if options["verify"]:
            for record in BackupRecord.objects.filter(run=run, status="succeeded"):
                try:
                    services.backup_verify(record=record)
                except BackupError as exc:
                    verified_failures += 1
                    self.progress.line(f"verify FAIL {record.schema_name}: {exc}")
        self.emit(
            {"ok": not summary.get("failed") and not verified_failures, "run": summary},
            f"{summary.get('succeeded')} of {summary.get('schemas')} schemas backed up, "
            f"{summary.get('failed')} failed ({_size(summary.get('bytes'))})",
        )
        if summary.get("failed") or verified_failures:
            raise CommandError(f"failed: {summary.get('failed_schemas')}", returncode=1)

    def handle_list(self, options: dict[str, Any]) -> None:
        schema_name = self.schema_for(options["slug"]) if options["slug"] else None
        records = selectors.backup_list(
            schema_name=schema_name,
            include_pruned=options["include_pruned"],
            limit=options["limit"] or None,
        )
        if self.as_json:
            self.emit([record_json(r) for r in records], "")
            return
        header = (
            f"{'ID':>6}  {'SCHEMA':<24} {'KIND':<9} {'STATUS':<9} {'CREATED (UTC)':<19} "
            f"{'SIZE':>9}  VERIFIED"
        )
        self.stdout.write(header)
        for r in records:
            verified = f"{r.verify_status} {r.verified_at:%Y-%m-%d %H:%M}" if r.verified_at else "-"
            self.stdout.write(
                f"{r.pk:>6}  {r.schema_name:<24} {r.kind:<9} {r.status:<9} "
                f"{r.created_at:%Y-%m-%d %H:%M:%S} {_size(r.size_bytes):>9}  {verified}"
            )
        if not records:
            self.stdout.write("(no backups)")

    def handle_restore(self, options: dict[str, Any]) -> None:
        schema_name = self.schema_for(options["slug"])
        chosen = options["backup"]
        if chosen is not None and not str(chosen).isdigit():
            source = services.backup_source_from_storage(schema_name=schema_name, key=chosen)
        else:
            record = self.record_for(schema_name, int(chosen) if chosen else None)
            source = services.backup_source_for(record)
        self.progress.line(
            f"restoring {source.dump_key} "
            + ("in place" if options["in_place"] else "into a new schema")
        )
        result = services.backup_restore(
            source=source,
            into=options["into"],
            in_place=options["in_place"],
            progress=self.progress,
            actor=Actor.cli(),
        )
        self.progress.done()
        safety = f" (safety backup {result.safety_backup_id})" if result.safety_backup_id else ""
        self.emit(
            {"ok": True, **result.__dict__},
            self.style.SUCCESS(
                f"restored {result.tables} tables, {result.rows} rows of "
                f"{schema_name} into {result.restored_into}{safety}"
            ),
        )

    def handle_verify(self, options: dict[str, Any]) -> None:
        schema_name = self.schema_for(options["slug"])
        record = self.record_for(schema_name, options["backup"])
        self.progress.line(f"verifying backup {record.pk} of {schema_name}")
        record = services.backup_verify(record=record, progress=self.progress, actor=Actor.cli())
        self.progress.done()
        self.emit(
            {"ok": True, "backup": record_json(record)},
            self.style.SUCCESS(f"backup {record.pk} verified: restored copy matches the manifest"),
        )

    def handle_prune(self, options: dict[str, Any]) -> None:
        result = services.backup_prune(dry_run=options["dry_run"], actor=Actor.cli())
        verb = "would prune" if options["dry_run"] else "pruned"
        self.emit(
            {"ok": not result.errors, "dry_run": options["dry_run"], **result.__dict__},
            f"{verb} {len(result.pruned)} backups, kept {result.kept} (policy {result.policy})",
        )
        if result.errors:
            raise CommandError(f"could not prune: {result.errors}", returncode=1)
