"""Scheduled backups: a nightly fan-out, retention pruning and a daily restore drill.

The nightly dispatcher queues one pending record per schema (a BackupRun) and starts
DYSA_BACKUP_CONCURRENCY drain chains; each drain task takes one batch (one pg_dump of up to
DYSA_BACKUP_BATCH_SIZE schemas) and queues its successor, so at most that many dumps run at once
and no task runs long.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction

from shared_apps.backups import services

logger = logging.getLogger(__name__)


@shared_task(name="shared_apps.backups.tasks.backup_nightly")
def backup_nightly() -> str:
    run = services.backup_run_start(concurrency=settings.DYSA_BACKUP_CONCURRENCY)
    run_id = str(run.pk)
    for _ in range(run.concurrency):
        transaction.on_commit(lambda: backup_run_drain.delay(run_id))
    return run_id


@shared_task(name="shared_apps.backups.tasks.backup_run_drain", acks_late=True)
def backup_run_drain(run_id: str) -> str:
    """Take the next batch of backups of a run, then queue the next drain step (or finish)."""
    step = services.backup_run_step(run_id=run_id)
    if step.next_due_in is not None:
        countdown = 0 if step.records else step.next_due_in
        transaction.on_commit(lambda: backup_run_drain.apply_async((run_id,), countdown=countdown))
    return " ".join(f"{r.schema_name}:{r.status}" for r in step.records) or "idle"


@shared_task(name="shared_apps.backups.tasks.backup_prune")
def backup_prune() -> dict[str, object]:
    result = services.backup_prune()
    return {"pruned": len(result.pruned), "kept": result.kept, "errors": len(result.errors)}


@shared_task(name="shared_apps.backups.tasks.backup_restore_drill")
def backup_restore_drill() -> dict[str, object]:
    result = services.backup_drill(sample=settings.DYSA_BACKUP_DRILL_SAMPLE)
    return {"checked": result.checked, "failed": result.failed}
