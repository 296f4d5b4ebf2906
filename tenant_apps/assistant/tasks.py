"""Daily pruning of model call records, fanned out from one dispatcher to every restaurant."""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.db import PUBLIC_SCHEMA, current_schema_name, use_public_schema
from tenant_apps.assistant.services import model_call_prune
from tenants.models import Restaurant
from tenants.selectors import restaurant_list

logger = logging.getLogger(__name__)


@shared_task(name="tenant_apps.assistant.tasks.model_calls_prune_all")
def model_calls_prune_all() -> int:
    """Queue one prune per restaurant schema; returns how many were queued."""
    use_public_schema()
    # A soft-deleted restaurant's schema may be purged before its task runs: left to the purge.
    schemas = list(
        restaurant_list()
        .exclude(status=Restaurant.Status.DELETED)
        .values_list("schema_name", flat=True)
    )
    for schema in schemas:
        # tenant-schemas-celery switches the worker to the schema named in this header.
        queue = partial(model_calls_prune.apply_async, headers={"_schema_name": schema})
        transaction.on_commit(queue)
    return len(schemas)


@shared_task(name="tenant_apps.assistant.tasks.model_calls_prune")
def model_calls_prune() -> int:
    """Delete this restaurant's model calls older than the retention; idempotent."""
    schema = current_schema_name()
    if schema == PUBLIC_SCHEMA:
        # Queued without a restaurant's schema: there are no model calls here.
        logger.warning("model call prune queued without a restaurant schema")
        return 0
    days = settings.DYSA_MODEL_CALL_RETENTION_DAYS
    deleted = model_call_prune(older_than=timezone.now() - timedelta(days=days))
    if deleted:
        logger.info("model calls pruned", extra={"schema": schema, "deleted": deleted})
    return deleted
