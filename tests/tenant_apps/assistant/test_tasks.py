"""The daily model call prune on a real worker: one dispatcher, one task per restaurant."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from core.db import use_public_schema, use_tenant
from tenant_apps.assistant.models import ModelCall
from tenant_apps.assistant.tasks import model_calls_prune, model_calls_prune_all
from tenant_apps.conversations.models import Conversation
from tests.tenant_apps.assistant.factories import model_calls
from tests.tenant_apps.conversations.factories import web_conversation
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def tenants(tenant_a: TenantHandle, tenant_b: TenantHandle) -> Iterator[list[TenantHandle]]:
    yield [tenant_a, tenant_b]
    for tenant in (tenant_a, tenant_b):  # committed rows outlive a transactional test
        use_tenant(tenant.restaurant)
        Conversation.objects.all().delete()
    use_public_schema()


def _remaining(tenant: TenantHandle) -> set[int]:
    use_tenant(tenant.restaurant)
    ids = set(ModelCall.objects.values_list("id", flat=True))
    use_public_schema()
    return ids


def _wait_for(tenants: list[TenantHandle], expected: dict[str, set[int]]) -> None:
    deadline = time.monotonic() + 30
    while {t.schema_name: _remaining(t) for t in tenants} != expected:
        assert time.monotonic() < deadline, f"prune did not finish: {expected}"
        time.sleep(0.2)


def test_the_daily_prune_reaches_every_restaurant_and_a_rerun_changes_nothing(
    tenants: list[TenantHandle], celery_worker_session: object
) -> None:
    # given old and recent calls in two restaurants
    now = timezone.now()
    old_day = now - timedelta(days=settings.DYSA_MODEL_CALL_RETENTION_DAYS + 1)
    recent: dict[str, set[int]] = {}
    for tenant in tenants:
        use_tenant(tenant.restaurant)
        conversation = web_conversation()
        model_calls(conversation=conversation, created=old_day, count=3)
        kept = model_calls(conversation=conversation, created=now - timedelta(days=1))
        recent[tenant.schema_name] = {call.id for call in kept}
    use_public_schema()

    # when the dispatcher runs on the worker
    queued = model_calls_prune_all.delay().get(timeout=30)

    # then each restaurant keeps only its recent calls
    assert queued >= len(tenants)
    _wait_for(tenants, recent)

    # and running a restaurant's prune again deletes nothing
    for tenant in tenants:
        rerun = model_calls_prune.apply_async(headers={"_schema_name": tenant.schema_name})
        assert rerun.get(timeout=30) == 0
    _wait_for(tenants, recent)
