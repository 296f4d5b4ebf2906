"""Backups end to end against moto's S3 server over HTTP and the real PostgreSQL."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from shared_apps.backups import selectors, services
from shared_apps.backups.errors import (
    BackupIntegrityError,
    RestoreRefusedError,
    StorageError,
    WrongKeyError,
)
from shared_apps.backups.models import BackupRecord, BackupRun
from shared_apps.backups.retention import RetentionPolicy
from tenants.models import Restaurant
from tests.shared_apps.backups.conftest import S3Target
from tests.shared_apps.backups.factories import (
    MESSAGES,
    PROBE_ROWS,
    PROBE_TABLE,
    USERS,
    probe_rows,
    schema_names_like,
    table_names,
)
from tests.shared_apps.backups.s3_servers import FaultyProxy, SeenRequest, free_port
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db(transaction=True)


def _sequence_values(schema_name: str) -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = %s", [schema_name]
        )
        return dict(cursor.fetchall())


def _execute(statement: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement)


def _schemas_now(backup_tenant: TenantHandle) -> list[str]:
    return schema_names_like(f"{backup_tenant.schema_name}%") + schema_names_like("bk_verify_%")


# --- round trips ------------------------------------------------------------------------------


def test_tenant_round_trip_through_s3_restores_identical_data(
    backup_tenant: TenantHandle, s3_target: S3Target
) -> None:
    schema = backup_tenant.schema_name

    record = services.backup_create(schema_name=schema)
    result = services.backup_restore(source=services.backup_source_for(record))

    assert record.status == BackupRecord.Status.SUCCEEDED
    assert record.slug == "backuptest"
    assert s3_target.object_keys() == [
        f"nightly/{record.dump_key}",
        f"nightly/{record.manifest_key}",
    ]
    assert record.dump_key.startswith(f"{schema}/")
    assert record.dump_key.endswith(".dump.enc")
    restored = result.restored_into
    assert restored != schema
    assert table_names(restored) == table_names(schema)
    for table in table_names(schema):
        assert probe_rows(restored, table) == probe_rows(schema, table), table
    assert len(probe_rows(restored)) == PROBE_ROWS
    assert _sequence_values(restored) == _sequence_values(schema)
    with schema_context(restored):
        names = dict(get_user_model().objects.values_list("email", "full_name"))
    assert {email: names[email] for email, _ in USERS} == dict(USERS)
    assert record.manifest["fingerprint"]["tables"][PROBE_TABLE]["rows"] == PROBE_ROWS
    with schema_context(restored):
        from tenant_apps.conversations.models import Message

        texts = list(Message.objects.order_by("id").values_list("text", flat=True))
    assert texts == MESSAGES


def test_stored_objects_hold_no_plaintext(backup_tenant: TenantHandle, s3_target: S3Target) -> None:
    record = services.backup_create(schema_name=backup_tenant.schema_name)

    dump = s3_target.get(record.dump_key)

    assert dump.startswith(b"DYSAENC1")
    for needle in (b"backup_probe", "Núñez".encode(), b"owner@backuptest", b"PGDMP"):
        assert needle not in dump
    assert record.size_bytes == len(dump)


def test_platform_schema_backs_up_and_verifies(
    backup_tenant: TenantHandle, s3_target: S3Target
) -> None:
    record = services.backup_create(schema_name="public")

    verified = services.backup_verify(record=record)

    assert verified.verify_status == BackupRecord.VerifyStatus.PASSED
    assert "tenants_restaurant" in record.manifest["fingerprint"]["tables"]
    assert schema_names_like("bk_verify_%") == []


def test_manifest_describes_the_snapshot_the_dump_was_taken_from(
    backup_tenant: TenantHandle, s3_target: S3Target
) -> None:
    record = services.backup_create(schema_name=backup_tenant.schema_name)
    manifest = json.loads(s3_target.get(record.manifest_key))

    assert manifest == record.manifest
    assert manifest["schema"] == backup_tenant.schema_name
    assert manifest["dump"]["encrypted_sha256"] == record.checksum_sha256
    assert manifest["fingerprint"]["tables"]["accounts_user"]["rows"] >= len(USERS) + 1
    assert manifest["signature"]


def test_verify_records_success_and_freshness(
    backup_tenant: TenantHandle, s3_target: S3Target
) -> None:
    schema = backup_tenant.schema_name
    record = services.backup_create(schema_name=schema)
    assert not selectors.has_fresh_verified_backup(schema_name=schema, max_age=timedelta(hours=1))

    services.backup_verify(record=record)

    record.refresh_from_db()
    assert record.verify_status == BackupRecord.VerifyStatus.PASSED
    assert record.verified_at is not None
    assert selectors.has_fresh_verified_backup(schema_name=schema, max_age=timedelta(hours=1))
    BackupRecord.objects.filter(pk=record.pk).update(finished_at=timezone.now() - timedelta(days=2))
    assert not selectors.has_fresh_verified_backup(schema_name=schema, max_age=timedelta(days=1))
    assert _schemas_now(backup_tenant) == [schema]


# --- storage faults ---------------------------------------------------------------------------


def test_unreachable_s3_marks_the_backup_failed(
    backup_tenant: TenantHandle, s3_target: S3Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://127.0.0.1:{free_port()}")

    with pytest.raises(StorageError, match="S3 upload failed"):
        services.backup_create(schema_name=backup_tenant.schema_name)

    record = BackupRecord.objects.get()
    assert record.status == BackupRecord.Status.FAILED
    assert "S3 upload failed" in record.error
    assert record.finished_at is not None
    assert not selectors.has_fresh_verified_backup(
        schema_name=backup_tenant.schema_name, max_age=timedelta(days=1)
    )


def test_failure_mid_upload_leaves_no_object_and_the_retry_succeeds(
    backup_tenant: TenantHandle, s3_target: S3Target, faulty_s3: FaultyProxy
) -> None:
    # The first attempt's dump upload dies mid-body on every boto3 retry; later ones pass.
    doomed: list[str] = []

    def cut_first_dump(request: SeenRequest, _n: int) -> str | None:
        if request.is_put and request.path.endswith(".dump.enc"):
            doomed[:] = doomed or [request.path]
            return "drop" if request.path == doomed[0] else None
        return None

    faulty_s3.rule = cut_first_dump

    record = services.backup_create(schema_name=backup_tenant.schema_name, attempts=2)

    first, second = BackupRecord.objects.order_by("id")
    assert (first.status, first.attempt) == (BackupRecord.Status.FAILED, 1)
    assert (second.status, second.attempt) == (BackupRecord.Status.SUCCEEDED, 2)
    assert record.pk == second.pk
    assert s3_target.object_keys() == [
        f"nightly/{second.dump_key}",
        f"nightly/{second.manifest_key}",
    ]


def test_failure_storing_the_manifest_removes_the_dump(
    backup_tenant: TenantHandle, s3_target: S3Target, faulty_s3: FaultyProxy
) -> None:
    faulty_s3.rule = lambda req, _n: 500 if req.is_put and "manifest" in req.path else None

    with pytest.raises(StorageError):
        services.backup_create(schema_name=backup_tenant.schema_name)

    assert BackupRecord.objects.get().status == BackupRecord.Status.FAILED
    assert s3_target.object_keys() == []


# --- damaged backups: verify and restore fail clearly and touch nothing ------------------------


@pytest.fixture
def stored_backup(backup_tenant: TenantHandle, s3_target: S3Target) -> BackupRecord:
    return services.backup_create(schema_name=backup_tenant.schema_name)


def _assert_nothing_touched(backup_tenant: TenantHandle, record: BackupRecord) -> None:
    assert _schemas_now(backup_tenant) == [backup_tenant.schema_name]
    assert len(probe_rows(backup_tenant.schema_name)) == PROBE_ROWS
    assert BackupRecord.objects.filter(kind=BackupRecord.Kind.SAFETY).count() == 0


def _damage(s3_target: S3Target, key: str, change: Any) -> None:
    s3_target.put(key, change(s3_target.get(key)))


def _flip_middle_byte(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (_flip_middle_byte, "corrupted"),
        (lambda data: data[: len(data) // 2], "truncated"),
        (lambda data: b"", "truncated"),
    ],
    ids=["corrupted", "truncated", "emptied"],
)
@pytest.mark.parametrize("in_place", [False, True], ids=["new-schema", "in-place"])
def test_damaged_dump_fails_restore_and_verify(
    *,
    backup_tenant: TenantHandle,
    s3_target: S3Target,
    stored_backup: BackupRecord,
    damage: Any,
    message: str,
    in_place: bool,
) -> None:
    _damage(s3_target, stored_backup.dump_key, damage)

    with pytest.raises(BackupIntegrityError, match=message):
        services.backup_restore(source=services.backup_source_for(stored_backup), in_place=in_place)
    with pytest.raises(BackupIntegrityError, match=message):
        services.backup_verify(record=stored_backup)

    _assert_nothing_touched(backup_tenant, stored_backup)
    stored_backup.refresh_from_db()
    assert stored_backup.verify_status == BackupRecord.VerifyStatus.FAILED
    assert message in stored_backup.verify_error


def test_tampered_manifest_fails_restore_and_verify(
    backup_tenant: TenantHandle, s3_target: S3Target, stored_backup: BackupRecord
) -> None:
    def add_a_row(raw: bytes) -> bytes:
        manifest = json.loads(raw)
        manifest["fingerprint"]["tables"][PROBE_TABLE]["rows"] += 1
        return json.dumps(manifest).encode()

    _damage(s3_target, stored_backup.manifest_key, add_a_row)

    with pytest.raises(BackupIntegrityError, match="manifest was tampered"):
        services.backup_restore(source=services.backup_source_for(stored_backup), in_place=True)
    with pytest.raises(BackupIntegrityError, match="manifest was tampered"):
        services.backup_verify(record=stored_backup)
    _assert_nothing_touched(backup_tenant, stored_backup)


def test_backup_presented_as_another_schemas_fails_with_wrong_key(
    backup_tenant: TenantHandle, s3_target: S3Target, stored_backup: BackupRecord
) -> None:
    # Tenant objects passed off as the platform's: the platform's key cannot open them.
    source = services.BackupSource(
        schema_name="public",
        storage_url=stored_backup.storage_url,
        dump_key=stored_backup.dump_key,
        manifest_key=stored_backup.manifest_key,
    )

    with pytest.raises(WrongKeyError, match="key"):
        services.backup_restore(source=source, into="bk_wrong_key")
    assert schema_names_like("bk_wrong_key") == []


def test_missing_key_version_is_a_wrong_key_error(
    backup_tenant: TenantHandle, s3_target: S3Target, stored_backup: BackupRecord
) -> None:
    BackupRecord.objects.filter(pk=stored_backup.pk).update(key_version=99)
    stored_backup.refresh_from_db()

    with pytest.raises(WrongKeyError, match="version 99"):
        services.backup_verify(record=stored_backup)
    _assert_nothing_touched(backup_tenant, stored_backup)


def test_missing_object_fails_clearly(
    backup_tenant: TenantHandle, s3_target: S3Target, stored_backup: BackupRecord
) -> None:
    s3_target.client.delete_object(Bucket=s3_target.bucket, Key=f"nightly/{stored_backup.dump_key}")

    with pytest.raises(BackupIntegrityError, match="missing"):
        services.backup_verify(record=stored_backup)


# --- restore targets --------------------------------------------------------------------------


def test_restore_into_an_existing_schema_without_the_flag_is_refused(
    backup_tenant: TenantHandle, s3_target: S3Target, stored_backup: BackupRecord
) -> None:
    source = services.backup_source_for(stored_backup)

    with pytest.raises(RestoreRefusedError, match="--in-place"):
        services.backup_restore(source=source, into=backup_tenant.schema_name)
    first = services.backup_restore(source=source, into="t_backuptest_copy")
    with pytest.raises(RestoreRefusedError, match="already exists"):
        services.backup_restore(source=source, into=first.restored_into)
    with pytest.raises(RestoreRefusedError, match="not both"):
        services.backup_restore(source=source, into="other", in_place=True)


@pytest.mark.parametrize("name", ["Bad-Name", "pg_temp", "x" * 64, "1abc"])
def test_restore_into_an_invalid_schema_name_is_refused(
    backup_tenant: TenantHandle, s3_target: S3Target, stored_backup: BackupRecord, name: str
) -> None:
    with pytest.raises(Exception, match="invalid schema name"):
        services.backup_restore(source=services.backup_source_for(stored_backup), into=name)


def test_in_place_restore_takes_a_safety_backup_and_swaps_atomically(
    backup_tenant: TenantHandle, s3_target: S3Target, stored_backup: BackupRecord
) -> None:
    schema = backup_tenant.schema_name
    before = probe_rows(schema)
    _execute(f"DELETE FROM {schema}.{PROBE_TABLE} WHERE id <= 10")  # noqa: S608
    _execute(f"INSERT INTO {schema}.{PROBE_TABLE} (label) VALUES ('after the backup')")  # noqa: S608

    result = services.backup_restore(
        source=services.backup_source_for(stored_backup), in_place=True
    )

    assert result.restored_into == schema
    assert probe_rows(schema) == before
    assert result.safety_backup_id is not None
    safety = BackupRecord.objects.get(pk=result.safety_backup_id)
    assert safety.kind == BackupRecord.Kind.SAFETY
    assert safety.status == BackupRecord.Status.SUCCEEDED
    assert safety.manifest["fingerprint"]["tables"][PROBE_TABLE]["rows"] == PROBE_ROWS - 9
    assert _schemas_now(backup_tenant) == [schema]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {schema}.probe_count()")
        assert cursor.fetchone() == (PROBE_ROWS,)
    # The restaurant still answers from its (restored) schema through the ORM.
    with schema_context(schema):
        assert get_user_model().objects.filter(email=USERS[0][0]).exists()


def _column_exists(schema_name: str, table: str, column: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name = %s AND column_name = %s",
            [schema_name, table, column],
        )
        return cursor.fetchone() is not None


def test_in_place_restore_of_the_platform_replaces_its_rows_and_nothing_else(
    backup_tenant: TenantHandle, s3_target: S3Target
) -> None:
    record = services.backup_create(schema_name="public")
    BackupRun.objects.create(kind="after-the-backup")

    result = services.backup_restore(source=services.backup_source_for(record), in_place=True)

    assert not BackupRun.objects.filter(kind="after-the-backup").exists()
    assert BackupRecord.objects.filter(pk=record.pk).exists()
    # The safety backup's record went back in time with the platform; its objects did not.
    assert f"nightly/{result.safety_backup_key}" in s3_target.object_keys()
    assert schema_names_like("public%") == ["public"]
    assert Restaurant.objects.filter(slug="backuptest").exists()
    # Restaurants' columns computed by the platform's functions are untouched.
    assert _column_exists(backup_tenant.schema_name, "menu_menuitem", "search_names")
    with connection.cursor() as cursor:
        cursor.execute('SELECT public.dysa_search_text(\'{"es": "Ñandú"}\'::jsonb)')
        assert cursor.fetchone() == ("nandu",)


def test_in_place_restore_of_the_platform_needs_the_same_structure(
    backup_tenant: TenantHandle, s3_target: S3Target
) -> None:
    record = services.backup_create(schema_name="public")
    _execute("ALTER TABLE public.backups_backuprun ADD COLUMN added_later integer")
    try:
        with pytest.raises(RestoreRefusedError, match="backups_backuprun has other columns"):
            services.backup_restore(source=services.backup_source_for(record), in_place=True)
        assert schema_names_like("public%") == ["public"]
    finally:
        _execute("ALTER TABLE public.backups_backuprun DROP COLUMN added_later")


def test_platform_backup_opens_with_the_master_keys_once_its_own_key_is_gone(
    backup_tenant: TenantHandle, s3_target: S3Target, settings: Any
) -> None:
    from tenants.secrets import backup_key_versioned, secrets_purge

    record = services.backup_create(schema_name="public")
    secrets_purge(schema_name="public")  # as in a new database: the platform's key is lost
    services.backup_verify(record=record)
    backup_key_versioned(schema_name="public")  # ... and a new, different one was made

    assert services.backup_verify(record=record).verify_status == "passed"
    settings.DYSA_MASTER_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(WrongKeyError, match="DYSA_MASTER_KEYS"):
        services.backup_verify(record=record)


def test_restore_from_storage_keys_alone_for_disaster_recovery(
    backup_tenant: TenantHandle, s3_target: S3Target, stored_backup: BackupRecord
) -> None:
    source = services.backup_source_from_storage(
        schema_name=backup_tenant.schema_name, key=stored_backup.dump_key
    )

    result = services.backup_restore(source=source, into="t_backuptest_dr")

    assert probe_rows("t_backuptest_dr") == probe_rows(backup_tenant.schema_name)
    assert result.backup_id is None


# --- retention, runs, drill -------------------------------------------------------------------


def test_prune_deletes_what_the_policy_drops(
    backup_tenant: TenantHandle, s3_target: S3Target
) -> None:
    schema = backup_tenant.schema_name
    records = [services.backup_create(schema_name=schema) for _ in range(3)]
    for days, record in zip((30, 2, 0), records, strict=True):
        BackupRecord.objects.filter(pk=record.pk).update(
            created_at=timezone.now() - timedelta(days=days, hours=1)
        )

    result = services.backup_prune(policy=RetentionPolicy(daily=2, weekly=0, monthly=0))

    assert result.pruned == [records[0].pk]
    old = BackupRecord.objects.get(pk=records[0].pk)
    assert old.status == BackupRecord.Status.PRUNED
    assert old.pruned_at is not None
    assert f"nightly/{old.dump_key}" not in s3_target.object_keys()
    assert f"nightly/{records[1].dump_key}" in s3_target.object_keys()
    assert selectors.backup_list(schema_name=schema) == [records[2], records[1]]


def test_run_backs_up_every_schema_and_retries_storage_failures(
    backup_tenant: TenantHandle, s3_target: S3Target, faulty_s3: FaultyProxy, settings: Any
) -> None:
    settings.DYSA_BACKUP_RETRY_DELAY = 0
    schema = backup_tenant.schema_name
    faulty_s3.rule = lambda req, _n: (
        503 if req.is_put and schema in req.path and faulty_s3.faults < 4 else None
    )
    run = services.backup_run_start(concurrency=2, schema_names=["public", schema, "t_missing"])

    summary = services.backup_run_execute(run=run)

    assert summary["schemas"] == 3
    assert summary["succeeded"] == 2
    assert summary["failed_schemas"] == ["t_missing"]
    attempts = list(
        BackupRecord.objects.filter(run=run, schema_name=schema)
        .order_by("attempt")
        .values_list("attempt", "status")
    )
    assert attempts == [(1, "failed"), (2, "succeeded")]
    run.refresh_from_db()
    assert run.finished_at is not None
    assert run.summary["succeeded"] == 2


def test_drill_verifies_a_sample_and_reports_failures(
    backup_tenant: TenantHandle, s3_target: S3Target, caplog: pytest.LogCaptureFixture
) -> None:
    platform = services.backup_create(schema_name="public")
    tenant = services.backup_create(schema_name=backup_tenant.schema_name)
    _damage(s3_target, tenant.dump_key, _flip_middle_byte)

    result = services.backup_drill(sample=5)

    assert sorted(result.checked) == sorted([platform.pk, tenant.pk])
    assert list(result.failed) == [tenant.pk]
    assert any(r.levelname == "ERROR" and "drill" in r.getMessage() for r in caplog.records)


def test_deleting_a_restaurant_needs_a_fresh_verified_backup(
    backup_tenant: TenantHandle, s3_target: S3Target
) -> None:
    from tenants.services import LifecycleRefusedError, restaurant_delete

    restaurant = backup_tenant.restaurant
    with pytest.raises(LifecycleRefusedError, match="backup create backuptest --verify"):
        restaurant_delete(restaurant=restaurant)
    record = services.backup_create(schema_name=backup_tenant.schema_name)
    with pytest.raises(LifecycleRefusedError, match="no verified backup"):
        restaurant_delete(restaurant=restaurant)

    services.backup_verify(record=record)

    assert restaurant_delete(restaurant=restaurant).is_deleted
