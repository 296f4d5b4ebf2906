"""The backup keys, from the tenant secret store (tenants.secrets); never stored here."""

from __future__ import annotations

from shared_apps.backups.errors import BackupError, WrongKeyError


def current_backup_key(*, schema_name: str) -> tuple[int, bytes]:
    """(version, key) to encrypt a new backup of `schema_name` with."""
    from tenants.secrets import backup_key_versioned

    try:
        return backup_key_versioned(schema_name=schema_name)
    except LookupError:
        raise BackupError(f"{schema_name} is neither the platform nor a restaurant") from None


def backup_key_for(*, schema_name: str, version: int) -> bytes:
    """The key version a backup was made with (retired backup keys are kept for this)."""
    from tenants.secrets import backup_key

    try:
        return backup_key(schema_name=schema_name, version=version)
    except LookupError:
        raise WrongKeyError(
            f"backup key version {version} of {schema_name} is not available (tenant secrets "
            "purged, or the backup belongs to another installation)"
        ) from None
