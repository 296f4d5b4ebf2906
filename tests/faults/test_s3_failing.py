"""Fault suite: S3 failing during a backup, then coming back.

The app's S3 traffic goes through a proxy in front of moto's S3 server (real HTTP) that answers
500 or cuts the connection mid-request. Every attempt is retried and recorded as failed;
nothing is stored, nothing is marked succeeded or verified, and "has a fresh verified backup"
stays false. Once S3 answers again, the next backup succeeds and verifies. (S3 that stops
answering altogether is the same failure after boto3's 60 s read timeout, too slow for here.)
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared_apps.backups import selectors, services
from shared_apps.backups.errors import StorageError
from shared_apps.backups.models import BackupRecord
from tests.shared_apps.backups.conftest import S3Target
from tests.shared_apps.backups.s3_servers import FaultyProxy
from tests.tenants.factories import TenantHandle

ATTEMPTS = 3


@pytest.mark.parametrize("fault", [500, "drop"], ids=["answers-500", "cuts-connections"])
def test_backups_failing_on_s3_are_retried_never_marked_good_and_succeed_once_it_is_back(
    backup_tenant: TenantHandle, s3_target: S3Target, faulty_s3: FaultyProxy, fault: int | str
) -> None:
    schema = backup_tenant.schema_name
    faulty_s3.rule = lambda _request, _n: fault

    with pytest.raises(StorageError):
        services.backup_create(schema_name=schema, attempts=ATTEMPTS)
    during = list(BackupRecord.objects.order_by("attempt").values_list("attempt", "status"))
    verified_during = BackupRecord.objects.exclude(verify_status="").count()
    fresh_during = selectors.has_fresh_verified_backup(schema_name=schema, max_age=timedelta(1))
    stored_during = s3_target.object_keys()
    faults = faulty_s3.faults

    faulty_s3.rule = None
    record = services.backup_verify(record=services.backup_create(schema_name=schema))

    assert during == [(n, BackupRecord.Status.FAILED) for n in range(1, ATTEMPTS + 1)]
    assert faults >= ATTEMPTS, "every attempt reached S3 and failed there"
    assert verified_during == 0
    assert fresh_during is False
    assert stored_during == []
    assert record.status == BackupRecord.Status.SUCCEEDED
    assert record.verify_status == BackupRecord.VerifyStatus.PASSED
    assert selectors.backup_latest_succeeded(schema_name=schema) == record
    assert selectors.has_fresh_verified_backup(schema_name=schema, max_age=timedelta(1))
