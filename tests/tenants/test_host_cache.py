from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django.fixtures import Settings

from core.db import tenant_connection
from tenants.host_cache import REGISTRY_VERSION_KEY, forget_all_hosts
from tenants.services import restaurant_suspend
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db


@pytest.fixture
def host_cache_on(settings: Settings) -> Iterator[None]:
    settings.DYSA_TENANT_CACHE_SECONDS = 60
    forget_all_hosts()
    yield
    forget_all_hosts()


def test_a_cached_host_skips_the_registry_lookup(
    tenant_a: TenantHandle, host_cache_on: None
) -> None:
    client = Client(HTTP_HOST=tenant_a.host)
    client.get("/api/v1/restaurant/")  # warm the cache

    with CaptureQueriesContext(tenant_connection()) as queries:  # type: ignore[arg-type]
        response = client.get("/api/v1/restaurant/")

    assert response.json()["slug"] == "alpha"
    assert not any("tenants_domain" in q["sql"] for q in queries.captured_queries)


def test_unknown_hosts_are_cached_as_unknown(tenant_a: TenantHandle, host_cache_on: None) -> None:
    client = Client(HTTP_HOST="ghost.dysa.test")
    client.get("/api/v1/restaurant/")

    with CaptureQueriesContext(tenant_connection()) as queries:  # type: ignore[arg-type]
        response = client.get("/api/v1/restaurant/")

    assert response.status_code == 404
    assert queries.captured_queries == []


def test_forgetting_hosts_makes_registry_changes_visible_at_once(
    tenant_a: TenantHandle, host_cache_on: None
) -> None:
    from tenants.models import Restaurant

    client = Client(HTTP_HOST=tenant_a.host)
    assert client.get("/api/v1/restaurant/").status_code == 200
    Restaurant.objects.filter(pk=tenant_a.restaurant.pk).update(status="suspended")

    forget_all_hosts()

    assert client.get("/api/v1/restaurant/").status_code == 503


def _redis() -> Any:
    from django_redis import get_redis_connection  # type: ignore[import-untyped]

    return get_redis_connection("default")


def test_a_registry_change_by_another_process_is_seen_by_the_next_request(
    tenant_a: TenantHandle, host_cache_on: None
) -> None:
    from tenants.models import Restaurant

    client = Client(HTTP_HOST=tenant_a.host)
    assert client.get("/api/v1/restaurant/").status_code == 200
    Restaurant.objects.filter(pk=tenant_a.restaurant.pk).update(status="suspended")

    _redis().set(REGISTRY_VERSION_KEY, uuid.uuid4().hex)  # another worker's registry_changed()

    assert client.get("/api/v1/restaurant/").status_code == 503


def test_suspending_through_the_service_bumps_the_registry_version(
    tenant_a: TenantHandle, host_cache_on: None, django_capture_on_commit_callbacks: Any
) -> None:
    before = _redis().get(REGISTRY_VERSION_KEY)

    with django_capture_on_commit_callbacks(execute=True):
        restaurant_suspend(restaurant=tenant_a.restaurant, reason="unpaid")

    assert _redis().get(REGISTRY_VERSION_KEY) not in (None, before)
