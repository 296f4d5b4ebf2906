"""What can go wrong with a backup, as exceptions whose message an operator can act on."""

from __future__ import annotations


class BackupError(Exception):
    """Base class: the message is meant for an operator (never holds a secret)."""


class BackupConfigError(BackupError):
    """The configuration cannot work: bad DYSA_BACKUP_URL, missing or mismatched pg binaries."""


class StorageError(BackupError):
    """The storage target failed or is unreachable; worth retrying later."""


class DumpError(BackupError):
    """pg_dump failed."""


class BackupIntegrityError(BackupError):
    """The stored backup is corrupted, truncated or tampered with; nothing was restored."""


class WrongKeyError(BackupIntegrityError):
    """The backup was encrypted with a key other than the one available now."""


class RestoreRefusedError(BackupError):
    """The restore would overwrite something it was not told to overwrite."""


class RestoreError(BackupError):
    """Applying the dump failed; the transaction was rolled back."""


class VerificationError(BackupError):
    """The restored data does not match the manifest."""
