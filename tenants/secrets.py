"""Per-tenant secrets: the one place that reads and writes them.

Every value is encrypted at rest with MultiFernet over settings.DYSA_MASTER_KEYS (the first key
encrypts, every key decrypts) and versioned. Schema "public" holds the platform's own secrets.

Generated kinds (JWT signing key, backup key) are created lazily on first use, so schemas that
predate this store keep working, and eagerly at onboarding. Restaurant-supplied kinds (Twilio auth
token, Meta app secret...) are set with `secret_set`. API keys are stored as SHA-256 digests only;
their plaintext is returned once, by `api_key_create`.

Nothing here logs a value; `SecretVersion` and the models print without one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets as std_secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet, Subquery
from django.utils import timezone

from core.actors import Actor
from core.platform_actions import platform_action_send
from tenants.models import ApiKey, Restaurant, TenantSecret

PUBLIC_SCHEMA = "public"

JWT_SIGNING_KEY = "jwt_signing_key"
BACKUP_KEY = "backup_key"
GENERATED_KINDS = (JWT_SIGNING_KEY, BACKUP_KEY)
# Kinds a restaurant supplies. Not a closed list (any `[a-z][a-z0-9_]` name works) but these are
# the ones the integrations read; they are listed for the CLI's help and for the docs.
SUPPLIED_KINDS = (
    "twilio_account_sid",
    "twilio_auth_token",
    "meta_phone_number_id",
    "meta_app_secret",
    "meta_verify_token",
    "whatsapp_access_token",
    "llm_api_key",
)
_KIND = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
BACKUP_KEY_BYTES = 32
API_KEY_PREFIX = "dysa_"
_API_KEY_SHAPE = re.compile(r"^dysa_([A-Za-z0-9]{10})_[A-Za-z0-9_-]{20,}$")


class SecretDecryptionError(RuntimeError):
    """A stored value could not be decrypted by any of DYSA_MASTER_KEYS."""


# --- encryption ----------------------------------------------------------------------------


def master_key_id(key: str) -> str:
    """A short, non-reversible name for a master key (stored next to what it encrypted)."""
    return hashlib.sha256(key.encode()).hexdigest()[:12]


@lru_cache(maxsize=4)
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("DYSA_MASTER_KEYS is empty: secrets cannot be encrypted")
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(
            "DYSA_MASTER_KEYS must hold url-safe base64 32-byte (Fernet) keys"
        ) from error


def _master_keys() -> tuple[str, ...]:
    return tuple(settings.DYSA_MASTER_KEYS)


def _encrypt(value: str) -> tuple[str, str]:
    keys = _master_keys()
    token = _fernet_for(keys).encrypt(value.encode()).decode()
    return token, master_key_id(keys[0])


def _decrypt(row: TenantSecret) -> str:
    return _decrypt_ciphertext(row.ciphertext, label=repr(row))


def _decrypt_ciphertext(ciphertext: str, *, label: str) -> str:
    try:
        return _fernet_for(_master_keys()).decrypt(ciphertext.encode()).decode()
    except InvalidToken:
        raise SecretDecryptionError(
            f"{label} cannot be decrypted with any configured master key"
        ) from None


# --- reading and creating versions ---------------------------------------------------------


@dataclass(frozen=True)
class SecretVersion:
    version: int
    value: str = field(repr=False)
    is_current: bool


def _validate_kind(kind: str) -> None:
    if not _KIND.match(kind):
        raise ValidationError({"kind": ["use 2-40 lowercase letters, digits and underscores"]})


def _generate(kind: str) -> str:
    if kind == BACKUP_KEY:
        return base64.b64encode(std_secrets.token_bytes(BACKUP_KEY_BYTES)).decode()
    return std_secrets.token_urlsafe(48)


def _current_row(schema_name: str, kind: str) -> TenantSecret | None:
    return (
        TenantSecret.objects.filter(schema_name=schema_name, kind=kind, retired_at__isnull=True)
        .order_by("-version")
        .first()
    )


def _ensure_tenant_known(schema_name: str) -> None:
    if (
        schema_name != PUBLIC_SCHEMA
        and not Restaurant.objects.filter(schema_name=schema_name).exists()
    ):
        raise LookupError(f"no restaurant has schema {schema_name!r}")


def _insert_version(schema_name: str, kind: str, value: str, version: int) -> TenantSecret:
    ciphertext, key_id = _encrypt(value)
    return TenantSecret.objects.create(
        schema_name=schema_name,
        kind=kind,
        version=version,
        ciphertext=ciphertext,
        master_key_id=key_id,
    )


def _current_generated(schema_name: str, kind: str) -> TenantSecret:
    """The current version of a generated secret, created on first use."""
    row = _current_row(schema_name, kind)
    if row is not None:
        return row
    _ensure_tenant_known(schema_name)
    try:
        # A savepoint, so a concurrent first use that wins the race does not break the caller's
        # transaction; the loser reads the winner's row.
        with transaction.atomic():
            return _insert_version(schema_name, kind, _generate(kind), version=1)
    except IntegrityError:
        row = _current_row(schema_name, kind)
        if row is None:
            raise
        return row


def secrets_provision(*, schema_name: str) -> None:
    """Create a tenant's generated secrets (onboarding); existing ones are kept."""
    for kind in GENERATED_KINDS:
        _current_generated(schema_name, kind)


def secrets_purge(*, schema_name: str) -> int:
    """Delete every secret and API key of a tenant whose schema is being dropped."""
    deleted, _ = TenantSecret.objects.filter(schema_name=schema_name).delete()
    keys, _ = ApiKey.objects.filter(schema_name=schema_name).delete()
    return deleted + keys


# --- JWT keys -------------------------------------------------------------------------------


def jwt_signing_key_versioned(*, schema_name: str) -> tuple[int, str]:
    """(version, key) of the key that signs new tokens; the version goes in the JWT `kid`."""
    row = _current_generated(schema_name, JWT_SIGNING_KEY)
    return row.version, _decrypt(row)


def jwt_signing_key(*, schema_name: str) -> str:
    return jwt_signing_key_versioned(schema_name=schema_name)[1]


def _verifying_jwt_keys(schema_name: str) -> QuerySet[TenantSecret]:
    """The JWT keys that verify tokens now: the current one and retired ones in their grace."""
    return TenantSecret.objects.filter(schema_name=schema_name, kind=JWT_SIGNING_KEY).filter(
        Q(retired_at__isnull=True) | Q(grace_until__gt=timezone.now())
    )


def jwt_verification_keyring(*, schema_name: str) -> dict[int, str]:
    """{version: key} for the current key and retired keys still in their grace period."""
    rows = list(_verifying_jwt_keys(schema_name).order_by("-version"))
    if not any(row.retired_at is None for row in rows):
        rows.insert(0, _current_generated(schema_name, JWT_SIGNING_KEY))
    return {row.version: _decrypt(row) for row in rows}


def jwt_verification_keys(*, schema_name: str) -> list[str]:
    return list(jwt_verification_keyring(schema_name=schema_name).values())


def jwt_verification_ciphertext(*, schema_name: str, version: int) -> Subquery:
    """The encrypted JWT key `version` while it verifies tokens (else NULL), as a subquery.

    For the request hot path: authentication annotates the user row with it, so the key, the
    user and the denylist are read in one round trip; `jwt_key_decrypt` opens the value. Being
    read per request, a rotation (or a zero-grace cut-off) is seen by every process at once.
    """
    return Subquery(
        _verifying_jwt_keys(schema_name).filter(version=version).values("ciphertext")[:1]
    )


def jwt_key_decrypt(ciphertext: str) -> str:
    """The key behind a `jwt_verification_ciphertext` value."""
    return _decrypt_ciphertext(ciphertext, label="<TenantSecret jwt_signing_key>")


# --- backup keys ----------------------------------------------------------------------------


def backup_key_versioned(*, schema_name: str) -> tuple[int, bytes]:
    """(version, key): store the version with a backup so restore finds the right key."""
    row = _current_generated(schema_name, BACKUP_KEY)
    return row.version, base64.b64decode(_decrypt(row))


def backup_key(*, schema_name: str, version: int | None = None) -> bytes:
    """The current backup key, or an older version (retired backup keys are never deleted)."""
    if version is None:
        return backup_key_versioned(schema_name=schema_name)[1]
    row = TenantSecret.objects.filter(
        schema_name=schema_name, kind=BACKUP_KEY, version=version
    ).first()
    if row is None:
        raise LookupError(f"{schema_name} has no backup key version {version}")
    return base64.b64decode(_decrypt(row))


# --- restaurant-supplied secrets ------------------------------------------------------------


def secret_get(*, schema_name: str, kind: str) -> str | None:
    _validate_kind(kind)
    if kind in GENERATED_KINDS:
        raise ValidationError({"kind": [f"{kind} is read through its own function"]})
    row = _current_row(schema_name, kind)
    return _decrypt(row) if row is not None else None


def _slug_of(schema_name: str) -> str:
    """The restaurant's slug for the platform audit log ("" for the platform's own keys)."""
    slug = Restaurant.objects.filter(schema_name=schema_name).values_list("slug", flat=True)
    return str(slug.first() or "")


@transaction.atomic
def secret_set(*, schema_name: str, kind: str, value: str, actor: Actor | None = None) -> None:
    """Store a new version of a supplied secret; earlier versions are deleted, not kept."""
    _validate_kind(kind)
    if kind in GENERATED_KINDS:
        raise ValidationError({"kind": [f"{kind} is generated; rotate it instead"]})
    if not value:
        raise ValidationError({"value": ["must not be empty (use secret_delete to remove)"]})
    _ensure_tenant_known(schema_name)
    previous = list(
        TenantSecret.objects.select_for_update()
        .filter(schema_name=schema_name, kind=kind)
        .values_list("version", flat=True)
    )
    TenantSecret.objects.filter(schema_name=schema_name, kind=kind).delete()
    version = max(previous, default=0) + 1
    _insert_version(schema_name, kind, value, version=version)
    platform_action_send(
        actor=actor, action="secret.set", restaurant_slug=_slug_of(schema_name),
        schema_name=schema_name, kind=kind, version=version,
    )  # fmt: skip


def secret_delete(*, schema_name: str, kind: str) -> bool:
    _validate_kind(kind)
    if kind in GENERATED_KINDS:
        raise ValidationError({"kind": [f"{kind} is generated and cannot be deleted"]})
    deleted, _ = TenantSecret.objects.filter(schema_name=schema_name, kind=kind).delete()
    return deleted > 0


def secret_kinds(*, schema_name: str) -> list[dict[str, object]]:
    """What is stored for a tenant (kinds and versions, never values)."""
    rows = TenantSecret.objects.filter(schema_name=schema_name).order_by("kind", "version")
    return [
        {
            "kind": row.kind,
            "version": row.version,
            "current": row.retired_at is None,
            "created": row.created.isoformat(),
            "grace_until": row.grace_until.isoformat() if row.grace_until else None,
        }
        for row in rows
    ]


# --- rotation -------------------------------------------------------------------------------


def _default_grace() -> timedelta:
    return timedelta(seconds=settings.DYSA_JWT_KEY_GRACE_SECONDS)


@transaction.atomic
def secret_rotate(
    *, schema_name: str, kind: str, grace: timedelta | None = None, actor: Actor | None = None
) -> int:
    """Replace a generated secret by a new version; returns the new version number.

    The previous JWT key keeps verifying for `grace` (DYSA_JWT_KEY_GRACE_SECONDS by default),
    so tokens issued just before the rotation stay valid; a zero grace cuts them off at once.
    The previous backup key is kept for reading older backups.
    """
    if kind not in GENERATED_KINDS:
        raise ValidationError({"kind": [f"only {', '.join(GENERATED_KINDS)} can be rotated"]})
    _ensure_tenant_known(schema_name)
    current = (
        TenantSecret.objects.select_for_update()
        .filter(schema_name=schema_name, kind=kind, retired_at__isnull=True)
        .order_by("-version")
        .first()
    )
    latest = (
        TenantSecret.objects.filter(schema_name=schema_name, kind=kind)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    now = timezone.now()
    if current is not None:
        current.retired_at = now
        current.grace_until = now + (grace if grace is not None else _default_grace())
        current.save(update_fields=["retired_at", "grace_until"])
    version = _insert_version(schema_name, kind, _generate(kind), version=(latest or 0) + 1).version
    platform_action_send(
        actor=actor, action="secret.rotate", restaurant_slug=_slug_of(schema_name),
        schema_name=schema_name, kind=kind, version=version,
    )  # fmt: skip
    return version


@dataclass
class MasterRotationReport:
    total: int = 0
    reencrypted: int = 0
    already_current: int = 0
    failed: list[str] = field(default_factory=list)


def master_key_rotate(
    *,
    batch_size: int = 200,
    progress: Callable[[int, int], None] | None = None,
    actor: Actor | None = None,
) -> MasterRotationReport:
    """Re-encrypt every secret with the first master key, in committed batches.

    Resumable: rows already under the first key are skipped, so a rerun after an interruption
    continues where the previous run stopped. Rows no key can decrypt are reported, not fatal.
    """
    keys = _master_keys()
    fernet = _fernet_for(keys)
    current_id = master_key_id(keys[0])
    report = MasterRotationReport(total=TenantSecret.objects.count())
    report.already_current = TenantSecret.objects.filter(master_key_id=current_id).count()
    done = report.already_current
    last_id = 0
    while True:
        with transaction.atomic():
            batch = list(
                TenantSecret.objects.select_for_update(skip_locked=True)
                .filter(~Q(master_key_id=current_id), id__gt=last_id)
                .order_by("id")[:batch_size]
            )
            if not batch:
                break
            for row in batch:
                last_id = row.id
                try:
                    row.ciphertext = fernet.rotate(row.ciphertext.encode()).decode()
                except InvalidToken:
                    report.failed.append(repr(row))
                    continue
                row.master_key_id = current_id
                row.save(update_fields=["ciphertext", "master_key_id"])
                report.reencrypted += 1
        done += len(batch)
        if progress is not None:
            progress(done, report.total)
    # After the batches (each committed on its own): what this run did, failures included.
    platform_action_send(
        actor=actor, action="secret.rotate_master", restaurant_slug="",
        reencrypted=report.reencrypted, failed=len(report.failed),
    )  # fmt: skip
    return report


# --- API keys -------------------------------------------------------------------------------


def _digest(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def api_key_create(*, schema_name: str, name: str) -> tuple[int, str]:
    """Create an API key; returns (id, plaintext). The plaintext is never stored or shown again."""
    if not name.strip():
        raise ValidationError({"name": ["is required"]})
    _ensure_tenant_known(schema_name)
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
    while True:
        prefix = "".join(std_secrets.choice(alphabet) for _ in range(10))
        plaintext = f"{API_KEY_PREFIX}{prefix}_{std_secrets.token_urlsafe(32)}"
        try:
            with transaction.atomic():
                key = ApiKey.objects.create(
                    schema_name=schema_name,
                    name=name.strip()[:100],
                    prefix=prefix,
                    key_hash=_digest(plaintext),
                )
        except IntegrityError:
            continue  # prefix collision: astronomically rare, draw again
        return key.pk, plaintext


def api_key_verify(*, schema_name: str, plaintext: str) -> ApiKey | None:
    """The key record if `plaintext` is a live key of this tenant, else None."""
    match = _API_KEY_SHAPE.match(plaintext or "")
    if match is None:
        return None
    key = ApiKey.objects.filter(
        prefix=match.group(1), schema_name=schema_name, revoked_at__isnull=True
    ).first()
    if key is None or not hmac.compare_digest(key.key_hash, _digest(plaintext)):
        return None
    now = timezone.now()
    # Written at most once a minute per key, so a busy integration does not write per request.
    if key.last_used is None or now - key.last_used > timedelta(minutes=1):
        ApiKey.objects.filter(pk=key.pk).update(last_used=now)
        key.last_used = now
    return key


def api_key_revoke(*, schema_name: str, key_id: int) -> bool:
    updated = ApiKey.objects.filter(
        pk=key_id, schema_name=schema_name, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    return updated > 0


def api_key_list(*, schema_name: str) -> list[ApiKey]:
    return list(ApiKey.objects.filter(schema_name=schema_name).order_by("-created"))
