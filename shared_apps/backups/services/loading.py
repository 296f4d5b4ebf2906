"""Loading a stored backup: its source, manifest, key and dump files."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from shared_apps.backups import crypto, keys
from shared_apps.backups.errors import (
    BackupIntegrityError,
    RestoreRefusedError,
    WrongKeyError,
)
from shared_apps.backups.models import BackupRecord
from shared_apps.backups.services.common import PUBLIC_SCHEMA, Progress
from shared_apps.backups.storage import file_sha256, storage_for


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


def load_backup(source: BackupSource, folder: Path, progress: Progress) -> LoadedBackup:
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
