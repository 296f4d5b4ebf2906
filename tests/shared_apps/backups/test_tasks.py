from __future__ import annotations

import time

import pytest

from shared_apps.backups.models import BackupRecord, BackupRun
from shared_apps.backups.tasks import backup_nightly, backup_prune, backup_restore_drill
from tests.shared_apps.backups.conftest import S3Target
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db(transaction=True)


def _wait_for_finished_run(timeout: float = 60) -> BackupRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = BackupRun.objects.filter(finished_at__isnull=False).first()
        if run is not None:
            return run
        time.sleep(0.2)
    raise AssertionError(
        f"no backup run finished in {timeout}s: "
        f"{list(BackupRecord.objects.values_list('schema_name', 'status'))}"
    )


def test_nightly_run_fans_out_on_a_real_worker_and_summarises(
    backup_tenant: TenantHandle, s3_target: S3Target, celery_worker_session: object
) -> None:
    run_id = backup_nightly.delay().get(timeout=30)

    run = _wait_for_finished_run()

    assert str(run.pk) == run_id
    assert run.summary["failed"] == 0
    assert run.summary["succeeded"] == run.summary["schemas"] >= 2
    assert set(run.records.values_list("status", flat=True)) == {"succeeded"}
    assert {"public", backup_tenant.schema_name} <= set(
        run.records.values_list("schema_name", flat=True)
    )


def test_prune_and_drill_tasks_run_on_a_real_worker(
    backup_tenant: TenantHandle, s3_target: S3Target, celery_worker_session: object
) -> None:
    assert backup_prune.delay().get(timeout=30) == {"pruned": 0, "kept": 0, "errors": 0}
    assert backup_restore_drill.delay().get(timeout=30) == {"checked": [], "failed": {}}
