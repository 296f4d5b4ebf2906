"""Backup bookkeeping, in the public schema.

Records name their schema and restaurant by value, not by foreign key: the backups of a deleted
restaurant must outlive its registry row. Each record is one attempt; a retry is a new record.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone


class BackupRun(models.Model):
    """One fan-out over many schemas (the nightly run, or `backup create --all`)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=16)
    concurrency = models.PositiveSmallIntegerField(default=1)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"backup run {self.id} ({self.kind})"


class BackupRecord(models.Model):
    class Kind(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        MANUAL = "manual", "Manual"
        SAFETY = "safety", "Safety (before an in-place restore)"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        PRUNED = "pruned", "Pruned"

    class VerifyStatus(models.TextChoices):
        NONE = "", "Not verified"
        PASSED = "passed", "Passed"
        FAILED = "failed", "Failed"

    run = models.ForeignKey(
        BackupRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="records"
    )
    schema_name = models.CharField(max_length=63)
    slug = models.CharField(max_length=63)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.MANUAL)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempt = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    # Retries wait: a pending record is not picked before this time.
    not_before = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    storage_url = models.CharField(max_length=500)
    dump_key = models.CharField(max_length=500, blank=True)
    manifest_key = models.CharField(max_length=500, blank=True)
    size_bytes = models.BigIntegerField(null=True, blank=True)
    plain_size_bytes = models.BigIntegerField(null=True, blank=True)
    checksum_sha256 = models.CharField(max_length=64, blank=True)
    key_version = models.PositiveIntegerField(null=True, blank=True)
    key_id = models.CharField(max_length=32, blank=True)
    server_version = models.CharField(max_length=32, blank=True)
    # A copy of the signed manifest (row counts, checksums); storage holds the authoritative one.
    manifest = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verify_status = models.CharField(
        max_length=8, choices=VerifyStatus.choices, blank=True, default=VerifyStatus.NONE
    )
    verify_error = models.TextField(blank=True)
    pruned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["schema_name", "-created_at"], name="backups_schema_created"),
            models.Index(fields=["run", "status", "not_before"], name="backups_run_queue"),
        ]

    def __str__(self) -> str:
        return f"backup {self.pk} of {self.schema_name} ({self.status})"

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()
