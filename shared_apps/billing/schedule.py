"""Celery beat entries for billing (merged into config.celery_app's schedule); hours in UTC."""

from __future__ import annotations

from celery.schedules import crontab


def beat_schedule() -> dict[str, dict[str, object]]:
    from django.conf import settings

    hour = settings.DYSA_BILLING_HOUR_UTC
    return {
        "billing-usage-meter-nightly": {
            "task": "shared_apps.billing.tasks.usage_meter_nightly",
            "schedule": crontab(minute=0, hour=hour),
        },
        # Periods end at any time of day (they start at onboarding): checked hourly.
        "billing-subscriptions-renew": {
            "task": "shared_apps.billing.tasks.subscriptions_renew_due",
            "schedule": crontab(minute=20),
        },
        "billing-dunning": {
            "task": "shared_apps.billing.tasks.dunning_run",
            "schedule": crontab(minute=40, hour=(hour + 1) % 24),
        },
        "billing-stripe-sync-pending": {
            "task": "shared_apps.billing.tasks.stripe_sync_pending",
            "schedule": 600.0,
        },
    }
