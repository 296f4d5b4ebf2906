"""Retention: which stored backups go."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from core.actors import Actor
from core.platform_actions import platform_action_send
from shared_apps.backups import selectors
from shared_apps.backups.errors import (
    BackupError,
)
from shared_apps.backups.models import BackupRecord
from shared_apps.backups.retention import RetentionPolicy, backups_to_keep
from shared_apps.backups.services.common import logger
from shared_apps.backups.storage import storage_for


@dataclass
class PruneResult:
    policy: str
    kept: int = 0
    pruned: list[int] = field(default_factory=list)
    errors: dict[int, str] = field(default_factory=dict)


def backup_prune(
    *,
    dry_run: bool = False,
    policy: RetentionPolicy | None = None,
    now: datetime | None = None,
    actor: Actor | None = None,
) -> PruneResult:
    """Delete stored backups the retention policy no longer keeps (records stay, as `pruned`).
    Given an `actor`, the platform audit log records what a real (not dry) run deleted."""
    policy = policy or RetentionPolicy.parse(settings.DYSA_BACKUP_RETENTION)
    now = now or timezone.now()
    result = PruneResult(policy=str(policy))
    for schema_name in selectors.backed_up_schema_names():
        records = list(selectors.backups_succeeded(schema_name=schema_name))
        keep = backups_to_keep([(r.pk, r.created_at) for r in records], policy, now=now)
        result.kept += len(keep)
        for record in records:
            if record.pk in keep:
                continue
            if dry_run:
                result.pruned.append(record.pk)
                continue
            try:
                _discard_stored(record)
            except BackupError as exc:
                result.errors[record.pk] = str(exc)
                continue
            result.pruned.append(record.pk)
    if result.errors:
        logger.error(
            "backup prune could not delete %d backups",
            len(result.errors),
            extra={"errors": result.errors},
        )
    if not dry_run:
        platform_action_send(
            actor=actor, action="backup.prune", pruned=result.pruned, errors=len(result.errors)
        )
    return result


def _discard_stored(record: BackupRecord) -> None:
    storage = storage_for(record.storage_url)
    # The manifest first: a dump without its manifest is never taken for a backup.
    storage.delete(record.manifest_key)
    storage.delete(record.dump_key)
    record.status = BackupRecord.Status.PRUNED
    record.pruned_at = timezone.now()
    record.save(update_fields=["status", "pruned_at"])
