"""Backups: create, restore, verify, prune, and the nightly fan-out over every schema.

One module per workflow (create, loading a stored backup, restore, verify and drill, prune,
runs: the nightly job queue); callers import them from here, as before the split.

Record updates are deliberately not wrapped in one transaction around the whole backup: a backup
runs for seconds to minutes against external processes and storage, and its record must show
`running`, then `succeeded` or `failed`, to every other process while that happens. Each update
is a single atomic write; the storage side is all-or-nothing on its own (see storage.py), and a
restore commits in one database transaction (see dumps.py).
"""

from shared_apps.backups.services.common import PUBLIC_SCHEMA, STALE_RUNNING_AFTER, Progress
from shared_apps.backups.services.create import (
    backup_create,
    backup_record_execute,
    backup_record_prepare,
    backup_records_execute,
)
from shared_apps.backups.services.loading import (
    BackupSource,
    LoadedBackup,
    backup_source_for,
    backup_source_from_storage,
)
from shared_apps.backups.services.prune import PruneResult, backup_prune
from shared_apps.backups.services.restore import RestoreResult, backup_restore
from shared_apps.backups.services.runs import (
    RunStep,
    backup_run_claim,
    backup_run_execute,
    backup_run_finish_if_done,
    backup_run_start,
    backup_run_step,
)
from shared_apps.backups.services.verify import DrillResult, backup_drill, backup_verify

__all__ = [
    "PUBLIC_SCHEMA",
    "STALE_RUNNING_AFTER",
    "BackupSource",
    "DrillResult",
    "LoadedBackup",
    "Progress",
    "PruneResult",
    "RestoreResult",
    "RunStep",
    "backup_create",
    "backup_drill",
    "backup_prune",
    "backup_record_execute",
    "backup_record_prepare",
    "backup_records_execute",
    "backup_restore",
    "backup_run_claim",
    "backup_run_execute",
    "backup_run_finish_if_done",
    "backup_run_start",
    "backup_run_step",
    "backup_source_for",
    "backup_source_from_storage",
    "backup_verify",
]
