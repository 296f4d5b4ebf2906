from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="shared_apps.health.tasks.heartbeat")
def heartbeat() -> str:
    """Proves beat -> broker -> worker works; the worker's log shows one line a minute."""
    logger.info("worker heartbeat")
    return "ok"
