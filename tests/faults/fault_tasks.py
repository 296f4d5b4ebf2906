"""A task for the worker-killed fault test only (loaded with `celery worker --include`).

It counts its starts and finishes in Redis; its first run sleeps long enough to be killed.
"""

from __future__ import annotations

import time

import redis
from celery import shared_task
from django.conf import settings


@shared_task(name="tests.faults.fault_tasks.slow_once", acks_late=True)
def slow_once(key: str, first_run_seconds: float) -> None:
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    if client.incr(f"{key}:started") == 1:
        time.sleep(first_run_seconds)
    client.incr(f"{key}:finished")
