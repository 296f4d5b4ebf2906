"""Celery beat entries for backups (merged into config.celery_app's schedule); hours in UTC."""

from __future__ import annotations

from celery.schedules import crontab


def beat_schedule() -> dict[str, dict[str, object]]:
    from django.conf import settings

    hour = settings.DYSA_BACKUP_HOUR_UTC
    return {
        "backups-nightly": {
            "task": "shared_apps.backups.tasks.backup_nightly",
            "schedule": crontab(minute=0, hour=hour),
        },
        "backups-prune": {
            "task": "shared_apps.backups.tasks.backup_prune",
            "schedule": crontab(minute=0, hour=(hour + 3) % 24),
        },
        "backups-restore-drill": {
            "task": "shared_apps.backups.tasks.backup_restore_drill",
            "schedule": crontab(minute=30, hour=(hour + 3) % 24),
        },
    }
