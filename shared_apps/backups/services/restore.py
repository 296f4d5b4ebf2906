"""Restoring a backup into a new schema, or in place by schema rename (ADR 0006)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from django.utils import timezone

from core.actors import Actor
from core.platform_actions import platform_action_send
from shared_apps.backups import dumps, inplace
from shared_apps.backups.errors import (
    RestoreRefusedError,
    VerificationError,
)
from shared_apps.backups.manifest import (
    fingerprint_differences,
    schema_fingerprint,
)
from shared_apps.backups.models import BackupRecord
from shared_apps.backups.services.common import PUBLIC_SCHEMA, Progress, audit, no_progress
from shared_apps.backups.services.create import backup_create
from shared_apps.backups.services.loading import BackupSource, LoadedBackup, load_backup
from tenants import pgtools, schema_sql


def drop_schema(schema_name: str) -> None:
    """Drop a restore's scratch or staging schema, on a connection of its own (autocommit)."""
    with pgtools.connect(autocommit=True) as conn:
        schema_sql.schema_drop(schema_name, conn=conn)


def _schema_exists(schema_name: str) -> bool:
    with pgtools.connect(autocommit=True) as conn:
        return schema_sql.schema_exists(schema_name, conn=conn)


def restore_checked(loaded: LoadedBackup, target: str, progress: Progress) -> None:
    """Restore into the new schema `target` and prove it equals the manifest, or leave nothing."""
    source_schema = loaded.source.schema_name
    with pgtools.connect(autocommit=True) as conn:
        version_num = pgtools.server_version_num(conn)
        if schema_sql.schema_exists(target, conn=conn):
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
        drop_schema(target)
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
    progress: Progress = no_progress,
    actor: Actor | None = None,
) -> RestoreResult:
    """Restore a backup into a new schema (default) or in place of the live one.

    Never overwrites silently: a new schema must not exist; in place takes a safety backup of
    the live schema first, restores beside it, verifies, then swaps the two atomically (the
    platform's rows are replaced instead, see inplace.py). Given an `actor`, the platform
    audit log records the restore.
    """
    result = _restore(source=source, into=into, in_place=in_place, progress=progress)
    platform_action_send(
        actor=actor,
        action="backup.restore_in_place" if result.in_place else "backup.restore_new_schema",
        restaurant_slug=source.record.slug if source.record else "",
        backup=result.backup_id,
        schema=result.restored_into,
    )
    return result


def _restore(
    *, source: BackupSource, into: str | None, in_place: bool, progress: Progress
) -> RestoreResult:
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
        loaded = load_backup(source, Path(folder), progress)
        backup_id = source.record.pk if source.record else None
        if not in_place:
            restore_checked(loaded, target, progress)
            audit.info(
                "backup restored",
                extra={"schema_name": schema_name, "into": target, "backup_id": backup_id},
            )
            return _result(loaded, schema_name, target, in_place=False, backup_id=backup_id)
        if not _schema_exists(schema_name):
            restore_checked(loaded, schema_name, progress)
            audit.info(
                "backup restored in place (schema was missing)",
                extra={"schema_name": schema_name, "backup_id": backup_id},
            )
            return _result(loaded, schema_name, schema_name, in_place=True, backup_id=backup_id)
        safety = backup_create(schema_name=schema_name, kind=BackupRecord.Kind.SAFETY)
        staging = _default_target(schema_name, "s", now)
        restore_checked(loaded, staging, progress)
        try:
            if schema_name == PUBLIC_SCHEMA:
                inplace.copy_rows(restored=staging, live=schema_name)
            else:
                retired = _default_target(schema_name, "o", now)
                inplace.swap_schema(live=schema_name, staging=staging, retired=retired)
        except BaseException:
            drop_schema(staging)
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
