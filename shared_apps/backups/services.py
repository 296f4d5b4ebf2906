"""Backups: create, restore, verify, prune, and the nightly fan-out over every schema.

Record updates are deliberately not wrapped in one transaction around the whole backup: a backup
runs for seconds to minutes against external processes and storage, and its record must show
`running`, then `succeeded` or `failed`, to every other process while that happens. Each update
is a single atomic write; the storage side is all-or-nothing on its own (see storage.py), and a
restore commits in one database transaction (see dumps.py).
"""

from __future__ import annotations

import json
import logging
import random
import secrets
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone
from psycopg import sql

from shared_apps.backups import crypto, dumps, inplace, keys, selectors
from shared_apps.backups.errors import (
    BackupError,
    BackupIntegrityError,
    DumpError,
    RestoreRefusedError,
    StorageError,
    VerificationError,
    WrongKeyError,
)
from shared_apps.backups.manifest import (
    MANIFEST_FORMAT,
    fingerprint_differences,
    schema_fingerprint,
)
from shared_apps.backups.models import BackupRecord, BackupRun
from shared_apps.backups.retention import RetentionPolicy, backups_to_keep
from shared_apps.backups.storage import configured_storage, file_sha256, storage_for
from tenants import pgtools

logger = logging.getLogger(__name__)
audit = logging.getLogger("audit")

PUBLIC_SCHEMA = selectors.PUBLIC_SCHEMA
# A `running` record older than this belongs to a worker that died (tasks are killed at 15 min).
STALE_RUNNING_AFTER = timedelta(minutes=30)

# stage ("dump", "upload", "download", "restore", "verify"), bytes done, bytes total (0: unknown)
Progress = Callable[[str, int, int], None]


def _no_progress(_stage: str, _done: int, _total: int) -> None:
    return None


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def _slug_for(schema_name: str) -> str:
    if schema_name == PUBLIC_SCHEMA:
        return PUBLIC_SCHEMA
    from tenants.models import Restaurant

    slug = Restaurant.objects.filter(schema_name=schema_name).values_list("slug", flat=True).first()
    return str(slug) if slug else schema_name


# --- create ---------------------------------------------------------------------------------


def backup_record_prepare(
    *,
    schema_name: str,
    kind: str = BackupRecord.Kind.MANUAL,
    run: BackupRun | None = None,
    attempt: int = 1,
    not_before: datetime | None = None,
) -> BackupRecord:
    """A pending record for a backup about to be taken (or queued in a run)."""
    now = timezone.now()
    return BackupRecord.objects.create(
        schema_name=schema_name,
        slug=_slug_for(schema_name),
        kind=kind,
        run=run,
        attempt=attempt,
        storage_url=settings.DYSA_BACKUP_URL,
        created_at=now,
        not_before=not_before or now,
    )


def _discard_objects(record: BackupRecord) -> None:
    """Best effort: a failed backup must not leave objects that look like a backup."""
    try:
        storage = storage_for(record.storage_url)
        for key in (record.manifest_key, record.dump_key):
            if key:
                storage.delete(key)
    except BackupError as exc:
        logger.warning("could not remove objects of failed backup %s: %s", record.pk, exc)


def _record_failure(record: BackupRecord, exc: BaseException) -> None:
    _discard_objects(record)
    record.status = BackupRecord.Status.FAILED
    record.finished_at = timezone.now()
    record.error = str(exc) if isinstance(exc, BackupError) else f"{type(exc).__name__}: {exc}"
    record.save(update_fields=["status", "finished_at", "error"])
    logger.warning(
        "backup of %s failed: %s",
        record.schema_name,
        record.error,
        extra={"backup_id": record.pk, "attempt": record.attempt},
    )


def _store_one(
    record: BackupRecord, batch: dumps.BatchDump, folder: Path, progress: Progress
) -> None:
    """Cut one schema out of a batch dump, encrypt it with its key, store dump then manifest."""
    if record.schema_name in batch.missing:
        raise BackupError(f"schema {record.schema_name} does not exist")
    storage = storage_for(record.storage_url)
    key_version, key = keys.current_backup_key(schema_name=record.schema_name)
    encrypted = folder / f"{record.pk}.enc"
    with encrypted.open("wb") as target:
        stats = dumps.extract_schema(
            batch=batch,
            schema_name=record.schema_name,
            key=key,
            target=target,
            on_chunk=lambda done: progress("dump", done, 0),
        )
    # Only the platform's manifest escrows its key (see keys.py).
    escrowed = {"key_escrow": keys.escrow(key)} if record.schema_name == PUBLIC_SCHEMA else {}
    manifest = crypto.sign_manifest(
        {
            **escrowed,
            "format": MANIFEST_FORMAT,
            "schema": record.schema_name,
            "slug": record.slug,
            "created_at": record.started_at.isoformat() if record.started_at else None,
            "server_version": batch.server_version,
            "pg_dump_version": batch.pg_dump_version,
            "key_version": key_version,
            "dump": {
                "key": record.dump_key,
                "format": "sql+gzip",
                "encrypted_size": stats.encrypted_size,
                "encrypted_sha256": stats.encrypted_sha256,
                "sql_size": stats.sql_size,
                "sql_sha256": stats.sql_sha256,
            },
            "fingerprint": batch.fingerprints[record.schema_name],
        },
        key=key,
    )
    uploaded = [0]

    def on_upload(chunk: int) -> None:
        uploaded[0] += chunk
        progress("upload", uploaded[0], stats.encrypted_size)

    storage.put_file(record.dump_key, encrypted, sha256=stats.encrypted_sha256, progress=on_upload)
    # The manifest goes last: its presence means the dump is complete.
    storage.put_bytes(record.manifest_key, crypto.canonical_json(manifest))
    encrypted.unlink()
    record.status = BackupRecord.Status.SUCCEEDED
    record.finished_at = timezone.now()
    record.size_bytes = stats.encrypted_size
    record.plain_size_bytes = stats.sql_size
    record.checksum_sha256 = stats.encrypted_sha256
    record.key_version = key_version
    record.key_id = crypto.key_id(key)
    record.server_version = batch.server_version
    record.manifest = manifest
    record.error = ""
    record.save()
    logger.info(
        "backup of %s stored",
        record.schema_name,
        extra={
            "backup_id": record.pk,
            "bytes": record.size_bytes,
            "seconds": record.duration_seconds,
        },
    )


def backup_records_execute(
    *, records: list[BackupRecord], progress: Progress = _no_progress
) -> dict[int, BaseException]:
    """Take the backups `records` describe, all from one pg_dump and one snapshot.

    Each record ends `succeeded` only after its dump and then its manifest were stored
    completely; on any failure it ends `failed` with the reason and its objects are removed.
    Returns the failures by record id.
    """
    started = timezone.now()
    for record in records:
        stamp = _stamp(started)
        record.status = BackupRecord.Status.RUNNING
        record.started_at = started
        record.dump_key = f"{record.schema_name}/{stamp}.dump.enc"
        record.manifest_key = f"{record.schema_name}/{stamp}.manifest.json"
        record.save(update_fields=["status", "started_at", "dump_key", "manifest_key"])
    failures: dict[int, BaseException] = {}
    with tempfile.TemporaryDirectory(prefix="dysa-backup-") as name:
        folder = Path(name)
        try:
            batch = dumps.dump_batch(schema_names=[r.schema_name for r in records], folder=folder)
        except Exception as exc:
            for record in records:
                _record_failure(record, exc)
                failures[record.pk] = exc
            return failures
        for record in records:
            try:
                _store_one(record, batch, folder, progress)
            except Exception as exc:
                _record_failure(record, exc)
                failures[record.pk] = exc
    return failures


def backup_record_execute(
    *, record: BackupRecord, progress: Progress = _no_progress
) -> BackupRecord:
    """Take one backup now; raises its error (BackupError...) after recording it."""
    failures = backup_records_execute(records=[record], progress=progress)
    if record.pk in failures:
        raise failures[record.pk]
    return record


def backup_create(
    *,
    schema_name: str,
    kind: str = BackupRecord.Kind.MANUAL,
    progress: Progress = _no_progress,
    attempts: int = 1,
    retry_delay: float = 0,
) -> BackupRecord:
    """Back up one schema now; storage failures are retried `attempts` times in all.

    Every attempt is its own record, so a failed attempt stays visible as failed.
    """
    attempt = 1
    while True:
        record = backup_record_prepare(schema_name=schema_name, kind=kind, attempt=attempt)
        try:
            return backup_record_execute(record=record, progress=progress)
        except StorageError:
            if attempt >= attempts:
                raise
            attempt += 1
            time.sleep(retry_delay)


# --- loading a stored backup ----------------------------------------------------------------


@dataclass(frozen=True)
class BackupSource:
    """A stored backup: from a record, or (disaster recovery) from storage keys alone."""

    schema_name: str
    storage_url: str
    dump_key: str
    manifest_key: str
    record: BackupRecord | None = None


def backup_source_for(record: BackupRecord) -> BackupSource:
    if record.status != BackupRecord.Status.SUCCEEDED:
        raise RestoreRefusedError(f"backup {record.pk} is {record.status}, not a usable backup")
    return BackupSource(
        schema_name=record.schema_name,
        storage_url=record.storage_url,
        dump_key=record.dump_key,
        manifest_key=record.manifest_key,
        record=record,
    )


def backup_source_from_storage(*, schema_name: str, key: str) -> BackupSource:
    """A backup named by its storage key under DYSA_BACKUP_URL (when no record exists)."""
    base = key.removesuffix(".dump.enc").removesuffix(".manifest.json")
    return BackupSource(
        schema_name=schema_name,
        storage_url=settings.DYSA_BACKUP_URL,
        dump_key=f"{base}.dump.enc",
        manifest_key=f"{base}.manifest.json",
    )


@dataclass(frozen=True)
class LoadedBackup:
    source: BackupSource
    manifest: dict[str, Any]
    key: bytes
    encrypted: Path


def _unsigned_manifest(raw: bytes) -> dict[str, Any]:
    """The manifest's fields before authentication: only to find the key that authenticates it."""
    try:
        manifest = json.loads(raw)
    except ValueError:
        raise BackupIntegrityError("manifest is corrupted (not valid JSON)") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("key_version"), int):
        raise BackupIntegrityError("manifest is corrupted (no key version)")
    return manifest


def _backup_key(source: BackupSource, raw: bytes) -> bytes:
    """The key of a stored backup: from the secret store, or (platform only) the escrow."""
    unsigned = _unsigned_manifest(raw)
    record = source.record
    version = record.key_version if record and record.key_version else unsigned["key_version"]
    try:
        key = keys.backup_key_for(schema_name=source.schema_name, version=version)
    except WrongKeyError:
        if source.schema_name != PUBLIC_SCHEMA:
            raise
    else:
        if source.schema_name != PUBLIC_SCHEMA or crypto.key_id(key) == unsigned.get("key_id"):
            return key
    # The platform's database (holding its key) may be the very thing being recovered.
    escrowed = unsigned.get("key_escrow")
    if not isinstance(escrowed, str):
        raise WrongKeyError("the platform backup's key is not available and it has no escrow")
    return keys.unescrow(escrowed)


def _load_backup(source: BackupSource, folder: Path, progress: Progress) -> LoadedBackup:
    """Fetch and authenticate a backup completely before anything touches the database."""
    storage = storage_for(source.storage_url)
    raw = storage.get_bytes(source.manifest_key)
    record = source.record
    key = _backup_key(source, raw)
    manifest = crypto.load_signed_manifest(raw, key=key)
    dump = manifest.get("dump") or {}
    if manifest.get("schema") != source.schema_name or dump.get("key") != source.dump_key:
        raise BackupIntegrityError(
            f"manifest {source.manifest_key} describes {manifest.get('schema')} "
            f"({dump.get('key')}), not {source.schema_name} ({source.dump_key})"
        )
    if record is not None and record.checksum_sha256 != dump.get("encrypted_sha256"):
        raise BackupIntegrityError(f"manifest of backup {record.pk} does not match its record")
    expected_size = int(dump.get("encrypted_size", -1))
    progress("download", 0, expected_size)
    encrypted = folder / "dump.enc"
    storage.download(source.dump_key, encrypted)
    size = encrypted.stat().st_size
    progress("download", size, expected_size)
    if size != expected_size:
        raise BackupIntegrityError(
            f"backup object {source.dump_key} is truncated or corrupted: {size} bytes, "
            f"manifest says {expected_size}"
        )
    if file_sha256(encrypted) != dump.get("encrypted_sha256"):
        raise BackupIntegrityError(
            f"backup object {source.dump_key} is corrupted: its SHA-256 does not match the manifest"
        )
    return LoadedBackup(source=source, manifest=manifest, key=key, encrypted=encrypted)


# --- restore --------------------------------------------------------------------------------


def _drop_schema(schema_name: str) -> None:
    with pgtools.connect(autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema_name))
        )


def _schema_exists(schema_name: str) -> bool:
    with pgtools.connect(autocommit=True) as conn:
        return pgtools.schema_exists(conn, schema_name)


def _restore_checked(loaded: LoadedBackup, target: str, progress: Progress) -> None:
    """Restore into the new schema `target` and prove it equals the manifest, or leave nothing."""
    source_schema = loaded.source.schema_name
    with pgtools.connect(autocommit=True) as conn:
        version_num = pgtools.server_version_num(conn)
        if pgtools.schema_exists(conn, target):
            raise RestoreRefusedError(f"schema {target} already exists")
        keep = dumps.extension_member_names(conn, source_schema)
    dump = loaded.manifest["dump"]
    progress("restore", 0, int(dump["sql_size"]))
    dumps.restore_encrypted(
        encrypted=loaded.encrypted,
        key=loaded.key,
        source_schema=source_schema,
        target_schema=target,
        server_version_num=version_num,
        keep=keep,
        sql_sha256=str(dump["sql_sha256"]),
    )
    try:
        progress("verify", 0, 0)
        with pgtools.connect() as conn:
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            actual = schema_fingerprint(conn, target)
            conn.rollback()
        problems = fingerprint_differences(loaded.manifest["fingerprint"], actual)
        if problems:
            raise VerificationError(
                f"restored data differs from the manifest: {'; '.join(problems[:10])}"
            )
    except BaseException:
        _drop_schema(target)
        raise


def _default_target(schema_name: str, suffix: str, moment: datetime) -> str:
    tail = f"_{suffix}{moment.astimezone(UTC).strftime('%Y%m%d%H%M%S')}"
    return schema_name[: 63 - len(tail)] + tail


@dataclass(frozen=True)
class RestoreResult:
    schema_name: str
    restored_into: str
    in_place: bool
    backup_id: int | None
    safety_backup_id: int | None = None
    # Where the safety backup is stored: after restoring the platform in place, its record is
    # gone (the records table went back in time too), the objects are not.
    safety_backup_key: str | None = None
    tables: int = 0
    rows: int = 0


def backup_restore(
    *,
    source: BackupSource,
    into: str | None = None,
    in_place: bool = False,
    progress: Progress = _no_progress,
) -> RestoreResult:
    """Restore a backup into a new schema (default) or in place of the live one.

    Never overwrites silently: a new schema must not exist; in place takes a safety backup of
    the live schema first, restores beside it, verifies, then swaps the two atomically (the
    platform's rows are replaced instead, see inplace.py).
    """
    schema_name = source.schema_name
    if in_place and into:
        raise RestoreRefusedError("choose either a new schema (--into) or --in-place, not both")
    now = timezone.now()
    target = dumps.validate_schema_name(into) if into else _default_target(schema_name, "r", now)
    if not in_place and _schema_exists(target):
        hint = " (the live schema: use --in-place to replace it)" if target == schema_name else ""
        raise RestoreRefusedError(
            f"schema {target} already exists{hint}; restore --into a schema that does not exist"
        )
    with tempfile.TemporaryDirectory(prefix="dysa-restore-") as folder:
        loaded = _load_backup(source, Path(folder), progress)
        backup_id = source.record.pk if source.record else None
        if not in_place:
            _restore_checked(loaded, target, progress)
            audit.info(
                "backup restored",
                extra={"schema_name": schema_name, "into": target, "backup_id": backup_id},
            )
            return _result(loaded, schema_name, target, in_place=False, backup_id=backup_id)
        if not _schema_exists(schema_name):
            _restore_checked(loaded, schema_name, progress)
            audit.info(
                "backup restored in place (schema was missing)",
                extra={"schema_name": schema_name, "backup_id": backup_id},
            )
            return _result(loaded, schema_name, schema_name, in_place=True, backup_id=backup_id)
        safety = backup_create(schema_name=schema_name, kind=BackupRecord.Kind.SAFETY)
        staging = _default_target(schema_name, "s", now)
        _restore_checked(loaded, staging, progress)
        try:
            if schema_name == PUBLIC_SCHEMA:
                inplace.copy_rows(restored=staging, live=schema_name)
            else:
                retired = _default_target(schema_name, "o", now)
                inplace.swap_schema(live=schema_name, staging=staging, retired=retired)
        except BaseException:
            _drop_schema(staging)
            raise
    audit.info(
        "backup restored in place",
        extra={"schema_name": schema_name, "backup_id": backup_id, "safety_backup_id": safety.pk},
    )
    return _result(
        loaded,
        schema_name,
        schema_name,
        in_place=True,
        backup_id=backup_id,
        safety_backup_id=safety.pk,
        safety_backup_key=safety.dump_key,
    )


def _result(
    loaded: LoadedBackup,
    schema_name: str,
    target: str,
    *,
    in_place: bool,
    backup_id: int | None,
    safety_backup_id: int | None = None,
    safety_backup_key: str | None = None,
) -> RestoreResult:
    tables = loaded.manifest["fingerprint"]["tables"]
    return RestoreResult(
        schema_name=schema_name,
        restored_into=target,
        in_place=in_place,
        backup_id=backup_id,
        safety_backup_id=safety_backup_id,
        safety_backup_key=safety_backup_key,
        tables=len(tables),
        rows=sum(int(t["rows"]) for t in tables.values()),
    )


# --- verify ---------------------------------------------------------------------------------


def backup_verify(*, record: BackupRecord, progress: Progress = _no_progress) -> BackupRecord:
    """Restore into a scratch schema, compare with the manifest, drop it, record the outcome.

    Raises BackupError when verification fails (after recording it).
    """
    scratch = f"bk_verify_{record.pk}_{secrets.token_hex(4)}"
    try:
        source = backup_source_for(record)
        with tempfile.TemporaryDirectory(prefix="dysa-verify-") as folder:
            loaded = _load_backup(source, Path(folder), progress)
            _restore_checked(loaded, scratch, progress)
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
        _drop_schema(scratch)
    record.verify_status = BackupRecord.VerifyStatus.PASSED
    record.verify_error = ""
    record.verified_at = timezone.now()
    record.save(update_fields=["verify_status", "verify_error", "verified_at"])
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


# --- retention ------------------------------------------------------------------------------


@dataclass
class PruneResult:
    policy: str
    kept: int = 0
    pruned: list[int] = field(default_factory=list)
    errors: dict[int, str] = field(default_factory=dict)


def backup_prune(
    *, dry_run: bool = False, policy: RetentionPolicy | None = None, now: datetime | None = None
) -> PruneResult:
    """Delete stored backups the retention policy no longer keeps (records stay, as `pruned`)."""
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
    return result


def _discard_stored(record: BackupRecord) -> None:
    storage = storage_for(record.storage_url)
    # The manifest first: a dump without its manifest is never taken for a backup.
    storage.delete(record.manifest_key)
    storage.delete(record.dump_key)
    record.status = BackupRecord.Status.PRUNED
    record.pruned_at = timezone.now()
    record.save(update_fields=["status", "pruned_at"])


# --- runs: every schema, bounded concurrency --------------------------------------------------


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
            _discard_objects(record)
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


def backup_run_step(*, run_id: Any, progress: Progress = _no_progress) -> RunStep:
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
