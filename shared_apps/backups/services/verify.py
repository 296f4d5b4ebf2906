"""Verifying a backup by restoring it into a scratch schema, and the restore drill."""

from __future__ import annotations

import random
import secrets
import tempfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from core.actors import Actor
from core.platform_actions import platform_action_send
from shared_apps.backups import selectors
from shared_apps.backups.errors import (
    BackupError,
)
from shared_apps.backups.models import BackupRecord
from shared_apps.backups.services.common import PUBLIC_SCHEMA, Progress, logger, no_progress
from shared_apps.backups.services.loading import backup_source_for, load_backup
from shared_apps.backups.services.restore import drop_schema, restore_checked


def backup_verify(
    *, record: BackupRecord, progress: Progress = no_progress, actor: Actor | None = None
) -> BackupRecord:
    """Restore into a scratch schema, compare with the manifest, drop it, record the outcome.

    Raises BackupError when verification fails (after recording it).
    """
    scratch = f"bk_verify_{record.pk}_{secrets.token_hex(4)}"
    try:
        source = backup_source_for(record)
        with tempfile.TemporaryDirectory(prefix="dysa-verify-") as folder:
            loaded = load_backup(source, Path(folder), progress)
            restore_checked(loaded, scratch, progress)
    except BackupError as exc:
        record.verify_status = BackupRecord.VerifyStatus.FAILED
        record.verify_error = str(exc)
        record.verified_at = timezone.now()
        record.save(update_fields=["verify_status", "verify_error", "verified_at"])
        logger.error(
            "verification of backup %s (%s) failed: %s",
            record.pk,
            record.schema_name,
            exc,
            extra={"backup_id": record.pk},
        )
        raise
    finally:
        drop_schema(scratch)
    record.verify_status = BackupRecord.VerifyStatus.PASSED
    record.verify_error = ""
    record.verified_at = timezone.now()
    record.save(update_fields=["verify_status", "verify_error", "verified_at"])
    platform_action_send(
        actor=actor, action="backup.verify", restaurant_slug=record.slug,
        backup=record.pk, result=record.verify_status,
    )  # fmt: skip
    return record


@dataclass
class DrillResult:
    checked: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)


def backup_drill(*, sample: int, max_age: timedelta = timedelta(days=8)) -> DrillResult:
    """Verify a random sample of recent backups (always the platform's); failures are errors."""
    candidates = selectors.recent_latest_backups(max_age=max_age)
    platform = [r for r in candidates if r.schema_name == PUBLIC_SCHEMA]
    tenants = [r for r in candidates if r.schema_name != PUBLIC_SCHEMA]
    chosen = platform[:1] + random.sample(
        tenants, min(len(tenants), max(sample - len(platform), 0))
    )
    result = DrillResult()
    for record in chosen:
        result.checked.append(record.pk)
        try:
            backup_verify(record=record)
        except BackupError as exc:
            result.failed[record.pk] = str(exc)
    if result.failed:
        logger.error(
            "backup restore drill: %d of %d backups failed verification",
            len(result.failed),
            len(result.checked),
            extra={"failed": result.failed},
        )
    else:
        logger.info("backup restore drill passed", extra={"checked": result.checked})
    return result
