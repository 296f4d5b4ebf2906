"""The backup keys, from the tenant secret store (tenants.secrets); never stored here.

One exception to "never stored here": the platform's backup key also travels in the platform
backup's manifest, encrypted under DYSA_MASTER_KEYS (an escrow). The platform's key lives in the
database it protects; after losing that database, the master keys (kept outside it) are what
opens the platform backup, which in turn brings back every restaurant's backup key.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

from shared_apps.backups.errors import BackupError, WrongKeyError


def current_backup_key(*, schema_name: str) -> tuple[int, bytes]:
    """(version, key) to encrypt a new backup of `schema_name` with."""
    from tenants.secrets import SecretDecryptionError, backup_key_versioned

    try:
        return backup_key_versioned(schema_name=schema_name)
    except LookupError:
        raise BackupError(f"{schema_name} is neither the platform nor a restaurant") from None
    except SecretDecryptionError as exc:
        raise BackupError(str(exc)) from None


def backup_key_for(*, schema_name: str, version: int) -> bytes:
    """The key version a backup was made with (retired backup keys are kept for this)."""
    from tenants.secrets import SecretDecryptionError, backup_key

    try:
        return backup_key(schema_name=schema_name, version=version)
    except LookupError:
        raise WrongKeyError(
            f"backup key version {version} of {schema_name} is not available (tenant secrets "
            "purged, or the backup belongs to another installation)"
        ) from None
    except SecretDecryptionError as exc:
        raise WrongKeyError(str(exc)) from None


def _master() -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode()) for key in settings.DYSA_MASTER_KEYS])
    except (ValueError, TypeError) as exc:
        raise BackupError(f"DYSA_MASTER_KEYS cannot be used: {exc}") from None


def escrow(key: bytes) -> str:
    """`key` encrypted under the first master key."""
    return _master().encrypt(base64.b64encode(key)).decode()


def unescrow(token: str) -> bytes:
    try:
        return base64.b64decode(_master().decrypt(token.encode()))
    except InvalidToken:
        raise WrongKeyError(
            "the platform backup's escrowed key does not open with DYSA_MASTER_KEYS (keep "
            "retired master keys listed while backups made under them are kept)"
        ) from None
