"""Keeping the support search index fresh: one dispatcher fans out a sync per restaurant."""

from __future__ import annotations

import logging
from functools import partial

from celery import shared_task
from django.db import transaction

from core.db import use_public_schema
from tenant_apps.support_access.indexing import support_index_sync
from tenants.models import Restaurant
from tenants.selectors import restaurant_list

logger = logging.getLogger(__name__)


@shared_task(name="tenant_apps.support_access.tasks.support_index_sync_all")
def support_index_sync_all() -> int:
    """Queue one index sync per live restaurant; returns how many were queued."""
    use_public_schema()
    ids = list(
        restaurant_list().exclude(status=Restaurant.Status.DELETED).values_list("pk", flat=True)
    )
    for restaurant_id in ids:
        transaction.on_commit(partial(support_index_sync_one.delay, restaurant_id))
    return len(ids)


@shared_task(name="tenant_apps.support_access.tasks.support_index_sync_one")
def support_index_sync_one(restaurant_id: int, rebuild: bool = False) -> int:
    """Sync (or rebuild) one restaurant's index rows; idempotent. Runs in the public schema:
    the indexer names the restaurant's schema in its SQL, never through search_path."""
    use_public_schema()
    restaurant = Restaurant.objects.filter(pk=restaurant_id).first()
    if restaurant is None or restaurant.status == Restaurant.Status.DELETED:
        return 0
    result = support_index_sync(restaurant=restaurant, rebuild=rebuild)
    return result.upserted
