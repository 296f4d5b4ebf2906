"""What the backup workflows share: loggers, the progress callback, naming."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from shared_apps.backups import selectors

# One logger for every workflow, named as before the split.
logger = logging.getLogger("shared_apps.backups.services")
audit = logging.getLogger("audit")

PUBLIC_SCHEMA = selectors.PUBLIC_SCHEMA
# A `running` record older than this belongs to a worker that died (tasks are killed at 15 min).
STALE_RUNNING_AFTER = timedelta(minutes=30)

# stage ("dump", "upload", "download", "restore", "verify"), bytes done, bytes total (0: unknown)
Progress = Callable[[str, int, int], None]


def no_progress(_stage: str, _done: int, _total: int) -> None:
    return None


def key_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def slug_for(schema_name: str) -> str:
    if schema_name == PUBLIC_SCHEMA:
        return PUBLIC_SCHEMA
    from tenants.models import Restaurant

    slug = Restaurant.objects.filter(schema_name=schema_name).values_list("slug", flat=True).first()
    return str(slug) if slug else schema_name
