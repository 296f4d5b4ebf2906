"""The tenant registry, in the public schema: one Restaurant per PostgreSQL schema."""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django_tenants.models import DomainMixin, TenantMixin


class Restaurant(TenantMixin):  # django-tenants is untyped: fields are annotated here
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        # Soft-deleted: unreachable, data kept until `purge_after`, then the schema is dropped.
        DELETED = "deleted", "Deleted"

    class Locale(models.TextChoices):
        SPANISH = "es", "Español"
        ENGLISH = "en", "English"

    name: models.CharField[str, str] = models.CharField(max_length=120)
    slug: models.SlugField[str, str] = models.SlugField(max_length=63, unique=True)
    status: models.CharField[str, str] = models.CharField(
        max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    locale: models.CharField[str, str] = models.CharField(
        max_length=2, choices=Locale.choices, default=Locale.SPANISH
    )
    timezone: models.CharField[str, str] = models.CharField(max_length=64, default="Europe/Madrid")
    currency: models.CharField[str, str] = models.CharField(max_length=3, default="EUR")
    created: models.DateTimeField[datetime, datetime] = models.DateTimeField(auto_now_add=True)
    # A billing plan, by code (plans live in the billing app; no foreign key needed).
    plan: models.CharField[str, str] = models.CharField(max_length=32, blank=True, default="")
    suspended_at: models.DateTimeField[datetime | None, datetime | None] = models.DateTimeField(
        null=True, blank=True
    )
    deleted_at: models.DateTimeField[datetime | None, datetime | None] = models.DateTimeField(
        null=True, blank=True
    )
    purge_after: models.DateTimeField[datetime | None, datetime | None] = models.DateTimeField(
        null=True, blank=True
    )

    # Schemas are created by the onboarding service, never as a side effect of save().
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return f"{self.name} ({self.slug})"

    @property
    def is_public(self) -> bool:
        return bool(self.schema_name == "public")

    @property
    def is_suspended(self) -> bool:
        return bool(self.status == self.Status.SUSPENDED)

    @property
    def is_deleted(self) -> bool:
        return bool(self.status == self.Status.DELETED)


class Domain(DomainMixin):
    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return str(self.domain)


class TenantSecret(models.Model):
    """One version of one secret of a tenant (or of the platform, schema "public").

    Refers to its tenant by schema name, not by foreign key: the platform's own secrets have no
    Restaurant row, and a tenant's secrets must outlive a soft-deleted registry row until its
    schema is dropped. The value is a Fernet token made with the first of DYSA_MASTER_KEYS;
    `master_key_id` names that key so a master-key rotation can resume where it stopped.
    """

    schema_name = models.CharField(max_length=63)
    kind = models.CharField(max_length=40)
    version = models.PositiveIntegerField()
    ciphertext = models.TextField()
    master_key_id = models.CharField(max_length=16)
    created = models.DateTimeField(auto_now_add=True)
    # Set when a newer version replaces this one. A retired JWT key still verifies until
    # `grace_until`; a retired backup key stays readable forever (old backups need it).
    retired_at = models.DateTimeField(null=True, blank=True)
    grace_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["schema_name", "kind", "version"], name="tenant_secret_version_unique"
            ),
        ]
        indexes = [models.Index(fields=["master_key_id"], name="tenant_secret_master_key_idx")]

    def __repr__(self) -> str:
        # Never the ciphertext: even encrypted values stay out of logs and error reports.
        return f"<TenantSecret {self.schema_name}/{self.kind} v{self.version}>"

    def __str__(self) -> str:
        return repr(self)


class ApiKey(models.Model):
    """An integration API key of a tenant; only a SHA-256 of the plaintext is kept."""

    schema_name = models.CharField(max_length=63)
    name = models.CharField(max_length=100)
    # The first characters of the plaintext, to find the row and to show which key it is.
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["schema_name"], name="api_key_schema_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class RevokedToken(models.Model):
    """A JWT id or session id that no longer authenticates (see tenants.auth).

    Rows are useless once the token they name has expired, and are pruned then.
    """

    jti = models.CharField(max_length=64, unique=True)
    schema_name = models.CharField(max_length=63)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"revoked {self.schema_name}/{self.jti[:8]}"


class SchemaTemplate(models.Model):
    """The SQL that recreates the migrated template schema (see tenants.schema_template)."""

    fingerprint = models.CharField(max_length=64, unique=True)
    sql = models.TextField()
    build_ms = models.PositiveIntegerField(default=0)
    # md5 of the template schema's migration records when this script was made: a later
    # migrate can then extend this script instead of dumping the template again.
    migrations_digest = models.CharField(max_length=32, blank=True, default="")
    built_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"schema template {self.fingerprint[:12]}"


class SchemaMigrationFailure(models.Model):
    """The last migrate_schemas error of a schema, until a later run migrates it."""

    schema_name = models.CharField(max_length=63, unique=True)
    error = models.TextField()
    failed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.schema_name} failed at {self.failed_at:%Y-%m-%d %H:%M}"


class SpareSchema(models.Model):
    """A schema already cloned from the template, waiting to become a new restaurant's.

    Onboarding renames one (`ALTER SCHEMA ... RENAME`, about a millisecond) instead of
    cloning; a Celery task refills the pool after each use. Spares of an older migration
    state are dropped, never used.
    """

    schema_name = models.CharField(max_length=63, unique=True)
    fingerprint = models.CharField(max_length=64, db_index=True)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.schema_name
