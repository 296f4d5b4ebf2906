"""Reads of backup records and runs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from shared_apps.backups.models import BackupRecord, BackupRun

PUBLIC_SCHEMA = "public"


def has_fresh_verified_backup(*, schema_name: str, max_age: timedelta) -> bool:
    """True when a backup of `schema_name` finished within `max_age` and passed verification."""
    return BackupRecord.objects.filter(
        schema_name=schema_name,
        status=BackupRecord.Status.SUCCEEDED,
        verify_status=BackupRecord.VerifyStatus.PASSED,
        finished_at__gte=timezone.now() - max_age,
    ).exists()


def tenant_delete_guard(*, restaurant: Any) -> str | None:
    """A DYSA_TENANT_DELETE_GUARDS entry: refuse to delete a restaurant with no fresh backup."""
    from django.conf import settings

    hours = settings.DYSA_BACKUP_DELETE_MAX_AGE_HOURS
    if has_fresh_verified_backup(
        schema_name=restaurant.schema_name, max_age=timedelta(hours=hours)
    ):
        return None
    return (
        f"no verified backup of {restaurant.slug} from the last {hours} hours: run "
        f"`manage.py backup create {restaurant.slug} --verify` first, or delete with --force"
    )


def backup_list(
    *, schema_name: str | None = None, include_pruned: bool = False, limit: int | None = 100
) -> list[BackupRecord]:
    queryset = BackupRecord.objects.all()
    if schema_name is not None:
        queryset = queryset.filter(schema_name=schema_name)
    if not include_pruned:
        queryset = queryset.exclude(status=BackupRecord.Status.PRUNED)
    queryset = queryset.order_by("-created_at", "-id")
    return list(queryset[:limit] if limit else queryset)


def backup_get(*, backup_id: int) -> BackupRecord | None:
    return BackupRecord.objects.filter(pk=backup_id).first()


def backup_latest_succeeded(*, schema_name: str) -> BackupRecord | None:
    return (
        BackupRecord.objects.filter(schema_name=schema_name, status=BackupRecord.Status.SUCCEEDED)
        .order_by("-created_at", "-id")
        .first()
    )


def backups_succeeded(*, schema_name: str) -> QuerySet[BackupRecord]:
    return BackupRecord.objects.filter(
        schema_name=schema_name, status=BackupRecord.Status.SUCCEEDED
    ).order_by("-created_at", "-id")


def backed_up_schema_names() -> list[str]:
    return list(
        BackupRecord.objects.filter(status=BackupRecord.Status.SUCCEEDED)
        .values_list("schema_name", flat=True)
        .distinct()
        .order_by("schema_name")
    )


def schema_name_for_backups(*, slug: str) -> str | None:
    """The schema behind `slug`: a live restaurant, the platform (`public`) or a deleted one."""
    from tenants.selectors import restaurant_get

    slug = slug.strip().lower()
    if slug == PUBLIC_SCHEMA:
        return PUBLIC_SCHEMA
    restaurant = restaurant_get(slug=slug)
    if restaurant is not None:
        return str(restaurant.schema_name)
    return (
        BackupRecord.objects.filter(slug=slug)
        .order_by("-created_at")
        .values_list("schema_name", flat=True)
        .first()
    )


def recent_latest_backups(*, max_age: timedelta) -> list[BackupRecord]:
    """The newest successful backup of each schema, made within `max_age` (drill candidates)."""
    recent = (
        BackupRecord.objects.filter(
            status=BackupRecord.Status.SUCCEEDED, created_at__gte=timezone.now() - max_age
        )
        .order_by("schema_name", "-created_at", "-id")
        .distinct("schema_name")
    )
    return list(recent)


def backup_run_progress(*, run_id: Any) -> dict[str, Any]:
    """Counts by status for a run, plus how many schemas ended up backed up or failed."""
    run = BackupRun.objects.filter(pk=run_id).first()
    if run is None:
        return {}
    by_status = dict(
        BackupRecord.objects.filter(run=run)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    schemas = set(BackupRecord.objects.filter(run=run).values_list("schema_name", flat=True))
    succeeded = set(
        BackupRecord.objects.filter(run=run, status=BackupRecord.Status.SUCCEEDED).values_list(
            "schema_name", flat=True
        )
    )
    unfinished = set(
        BackupRecord.objects.filter(
            run=run, status__in=[BackupRecord.Status.PENDING, BackupRecord.Status.RUNNING]
        ).values_list("schema_name", flat=True)
    )
    return {
        "run": str(run.pk),
        "kind": run.kind,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "schemas": len(schemas),
        "succeeded": len(succeeded),
        "failed": len(schemas - succeeded - unfinished),
        "in_progress": len(unfinished - succeeded),
        "attempts": by_status,
        "failed_schemas": sorted(schemas - succeeded - unfinished),
    }
