"""The tenant-aware Celery app: a task queued inside a restaurant's schema runs in it.

tenant-schemas-celery records the current schema when a task is sent and switches the worker's
connection to it before the task runs, so task code never takes a schema argument.
"""

from __future__ import annotations

import os

from celery.schedules import crontab
from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = CeleryApp("dysa")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic work. Per-tenant jobs fan out from one dispatcher task each (see docs/architecture.md).
app.conf.beat_schedule = {
    "platform-heartbeat": {
        "task": "shared_apps.health.tasks.heartbeat",
        "schedule": 60.0,
    },
    # Soft-deleted restaurants whose grace period is over lose their schema (hourly check).
    "tenants-purge-due": {
        "task": "tenants.tasks.restaurants_purge_due_task",
        "schedule": 3600.0,
    },
    # Keep the spare schema pool full even if a refill was missed (broker down at the time).
    "tenants-spare-schemas": {
        "task": "tenants.tasks.spare_schemas_fill_task",
        "schedule": 600.0,
    },
    # Model call records older than DYSA_MODEL_CALL_RETENTION_DAYS, in every restaurant.
    "assistant-model-calls-prune": {
        "task": "tenant_apps.assistant.tasks.model_calls_prune_all",
        "schedule": crontab(minute=15, hour=4),
    },
    # Support search index (ADR 0010): each restaurant's changes, every minute.
    "support-index-sync": {
        "task": "tenant_apps.support_access.tasks.support_index_sync_all",
        "schedule": 60.0,
    },
    # WhatsApp messages a lost worker left unprocessed or unsent, in restaurants using it.
    "whatsapp-sweep": {
        "task": "whatsapp.sweep_all",
        "schedule": 300.0,
    },
}

# Backups: nightly fan-out, pruning and the daily restore drill (see shared_apps/backups/).
from shared_apps.backups.schedule import beat_schedule as _backup_schedule  # noqa: E402

app.conf.beat_schedule.update(_backup_schedule())

# Billing: nightly metering fan-out, hourly renewals, daily dunning (see shared_apps/billing/).
from shared_apps.billing.schedule import beat_schedule as _billing_schedule  # noqa: E402

app.conf.beat_schedule.update(_billing_schedule())
