"""The nightly run: every schema backed up with bounded concurrency, as a job queue."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from shared_apps.backups import selectors
from shared_apps.backups.errors import (
    BackupError,
    DumpError,
    StorageError,
)
from shared_apps.backups.models import BackupRecord, BackupRun
from shared_apps.backups.services.common import (
    PUBLIC_SCHEMA,
    STALE_RUNNING_AFTER,
    Progress,
    logger,
    no_progress,
)
from shared_apps.backups.services.create import (
    backup_record_prepare,
    backup_records_execute,
    discard_objects,
)
from shared_apps.backups.storage import configured_storage


def backup_run_start(
    *,
    kind: str = BackupRecord.Kind.SCHEDULED,
    concurrency: int | None = None,
    schema_names: list[str] | None = None,
) -> BackupRun:
    """Queue one pending record per schema (the platform first, then every restaurant)."""
    from tenants.selectors import restaurant_list

    configured_storage()  # a bad DYSA_BACKUP_URL fails here, not a thousand times later
    if schema_names is None:
        schema_names = [PUBLIC_SCHEMA, *restaurant_list().values_list("schema_name", flat=True)]
    slugs = dict(_restaurant_slugs())
    now = timezone.now()
    with transaction.atomic():
        run = BackupRun.objects.create(
            kind=kind, concurrency=max(1, concurrency or settings.DYSA_BACKUP_CONCURRENCY)
        )
        BackupRecord.objects.bulk_create(
            BackupRecord(
                run=run,
                schema_name=name,
                slug=slugs.get(name, name),
                kind=kind,
                storage_url=settings.DYSA_BACKUP_URL,
                created_at=now,
                not_before=now,
            )
            for name in schema_names
        )
    logger.info("backup run started", extra={"run": str(run.pk), "schemas": len(schema_names)})
    return run


def _restaurant_slugs() -> list[tuple[str, str]]:
    from tenants.models import Restaurant

    pairs = Restaurant.objects.values_list("schema_name", "slug")
    return [(str(schema), str(slug)) for schema, slug in pairs] + [(PUBLIC_SCHEMA, PUBLIC_SCHEMA)]


def _requeue(record: BackupRecord, *, reason: str) -> BackupRecord | None:
    """Queue the next attempt of a failed record, if attempts remain."""
    if record.attempt >= settings.DYSA_BACKUP_MAX_ATTEMPTS:
        logger.error(
            "backup of %s failed after %d attempts: %s",
            record.schema_name,
            record.attempt,
            reason,
            extra={"backup_id": record.pk},
        )
        return None
    delay = timedelta(seconds=settings.DYSA_BACKUP_RETRY_DELAY)
    return backup_record_prepare(
        schema_name=record.schema_name,
        kind=record.kind,
        run=record.run,
        attempt=record.attempt + 1,
        not_before=timezone.now() + delay,
    )


def _reap_stale(run_id: Any) -> None:
    stale = BackupRecord.objects.filter(
        run_id=run_id,
        status=BackupRecord.Status.RUNNING,
        started_at__lt=timezone.now() - STALE_RUNNING_AFTER,
    )
    for record in stale:
        updated = BackupRecord.objects.filter(
            pk=record.pk, status=BackupRecord.Status.RUNNING
        ).update(
            status=BackupRecord.Status.FAILED,
            finished_at=timezone.now(),
            error="the worker running this backup stopped",
        )
        if updated:
            discard_objects(record)
            _requeue(record, reason="worker lost")


def backup_run_claim(*, run_id: Any, limit: int = 1) -> list[BackupRecord]:
    """Take up to `limit` due pending records of a run (claimers never get the same ones).

    Retries (attempt > 1) are taken alone: a schema that broke its batch must not break another.
    """
    _reap_stale(run_id)
    with transaction.atomic():
        due = list(
            BackupRecord.objects.select_for_update(skip_locked=True)
            .filter(
                run_id=run_id, status=BackupRecord.Status.PENDING, not_before__lte=timezone.now()
            )
            .order_by("not_before", "id")[: max(1, limit)]
        )
        if due and due[0].attempt > 1:
            due = due[:1]
        else:
            due = [record for record in due if record.attempt == 1]
        now = timezone.now()
        for record in due:
            record.status = BackupRecord.Status.RUNNING
            record.started_at = now
        BackupRecord.objects.bulk_update(due, ["status", "started_at"])
    return due


@dataclass(frozen=True)
class RunStep:
    records: list[BackupRecord]
    # Seconds until the next pending record is due; None when nothing is pending.
    next_due_in: float | None
    summary: dict[str, Any] | None  # set by the step that finished the run


def _next_due_in(run_id: Any) -> float | None:
    due = (
        BackupRecord.objects.filter(run_id=run_id, status=BackupRecord.Status.PENDING)
        .order_by("not_before")
        .values_list("not_before", flat=True)
        .first()
    )
    if due is None:
        return None
    return max(0.0, (due - timezone.now()).total_seconds())


def backup_run_finish_if_done(*, run_id: Any) -> dict[str, Any] | None:
    """Close the run once nothing is pending or running; only one caller gets the summary."""
    busy = BackupRecord.objects.filter(
        run_id=run_id, status__in=[BackupRecord.Status.PENDING, BackupRecord.Status.RUNNING]
    ).exists()
    if busy:
        return None
    summary = selectors.backup_run_progress(run_id=run_id)
    records = BackupRecord.objects.filter(run_id=run_id, status=BackupRecord.Status.SUCCEEDED)
    summary["bytes"] = sum(r.size_bytes or 0 for r in records)
    finished = timezone.now()
    summary["finished_at"] = finished.isoformat()
    closed = BackupRun.objects.filter(pk=run_id, finished_at__isnull=True).update(
        finished_at=finished, summary=summary
    )
    if not closed:
        return None
    log = logger.error if summary.get("failed") else logger.info
    log(
        "backup run finished: %s of %s schemas backed up, %s failed",
        summary.get("succeeded"),
        summary.get("schemas"),
        summary.get("failed"),
        extra={"summary": summary},
    )
    return summary


def _is_transient(exc: BaseException) -> bool:
    """Worth another attempt: storage trouble, a failed pg_dump (lock timeout...), a crash."""
    return isinstance(exc, StorageError | DumpError) or not isinstance(exc, BackupError)


def backup_run_step(*, run_id: Any, progress: Progress = no_progress) -> RunStep:
    """Claim a batch of a run and back it up; failures are re-queued while attempts remain."""
    records = backup_run_claim(run_id=run_id, limit=settings.DYSA_BACKUP_BATCH_SIZE)
    if records:
        failures = backup_records_execute(records=records, progress=progress)
        for record in records:
            exc = failures.get(record.pk)
            if exc is None:
                continue
            if _is_transient(exc):
                _requeue(record, reason=str(exc))
            else:
                logger.error(
                    "backup of %s failed: %s",
                    record.schema_name,
                    exc,
                    extra={"backup_id": record.pk},
                )
    return RunStep(
        records=records,
        next_due_in=_next_due_in(run_id),
        summary=backup_run_finish_if_done(run_id=run_id),
    )


def backup_run_execute(
    *,
    run: BackupRun,
    on_step: Callable[[RunStep], None] | None = None,
) -> dict[str, Any]:
    """Drain a run in this process with `run.concurrency` threads (the command's `--all`)."""
    summaries: list[dict[str, Any]] = []
    lock = threading.Lock()

    def drain() -> None:
        try:
            while True:
                step = backup_run_step(run_id=run.pk)
                with lock:
                    if on_step is not None and step.records:
                        on_step(step)
                    if step.summary is not None:
                        summaries.append(step.summary)
                if not step.records:
                    if step.next_due_in is None:
                        return
                    time.sleep(min(step.next_due_in, 5.0) or 0.05)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=run.concurrency, thread_name_prefix="backup") as pool:
        for future in [pool.submit(drain) for _ in range(run.concurrency)]:
            future.result()
    return summaries[0] if summaries else selectors.backup_run_progress(run_id=run.pk)
