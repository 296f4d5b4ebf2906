from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django.fixtures import Settings

from tenants.db import tenant_connection
from tenants.host_cache import forget_all_hosts
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
