"""Creating backups: a record per schema, dumped, encrypted and stored."""

from __future__ import annotations

import tempfile
import time
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from core.actors import Actor
from core.platform_actions import platform_action_send
from shared_apps.backups import crypto, dumps, keys
from shared_apps.backups.errors import (
    BackupError,
    StorageError,
)
from shared_apps.backups.manifest import (
    MANIFEST_FORMAT,
)
from shared_apps.backups.models import BackupRecord, BackupRun
from shared_apps.backups.services.common import (
    PUBLIC_SCHEMA,
    Progress,
    key_stamp,
    logger,
    no_progress,
    slug_for,
)
from shared_apps.backups.storage import storage_for


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
        slug=slug_for(schema_name),
        kind=kind,
        run=run,
        attempt=attempt,
        storage_url=settings.DYSA_BACKUP_URL,
        created_at=now,
        not_before=not_before or now,
    )


def discard_objects(record: BackupRecord) -> None:
    """Best effort: a failed backup must not leave objects that look like a backup."""
    try:
        storage = storage_for(record.storage_url)
        for key in (record.manifest_key, record.dump_key):
            if key:
                storage.delete(key)
    except BackupError as exc:
        logger.warning("could not remove objects of failed backup %s: %s", record.pk, exc)


def _record_failure(record: BackupRecord, exc: BaseException) -> None:
    discard_objects(record)
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
    *, records: list[BackupRecord], progress: Progress = no_progress
) -> dict[int, BaseException]:
    """Take the backups `records` describe, all from one pg_dump and one snapshot.

    Each record ends `succeeded` only after its dump and then its manifest were stored
    completely; on any failure it ends `failed` with the reason and its objects are removed.
    Returns the failures by record id.
    """
    started = timezone.now()
    for record in records:
        stamp = key_stamp(started)
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
    *, record: BackupRecord, progress: Progress = no_progress
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
    progress: Progress = no_progress,
    attempts: int = 1,
    retry_delay: float = 0,
    actor: Actor | None = None,
) -> BackupRecord:
    """Back up one schema now; storage failures are retried `attempts` times in all.

    Every attempt is its own record, so a failed attempt stays visible as failed. Given an
    `actor`, the platform audit log records the backup made.
    """
    attempt = 1
    while True:
        record = backup_record_prepare(schema_name=schema_name, kind=kind, attempt=attempt)
        try:
            done = backup_record_execute(record=record, progress=progress)
        except StorageError:
            if attempt >= attempts:
                raise
            attempt += 1
            time.sleep(retry_delay)
            continue
        platform_action_send(
            actor=actor, action="backup.create", restaurant_slug=done.slug, backup=done.pk
        )
        return done
