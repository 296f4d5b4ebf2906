"""Test fixtures shared by the whole suite.

Tenant schemas are expensive, so two restaurants are onboarded once (and kept across runs by
--reuse-db); each test still runs in a transaction that is rolled back.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from core.db import use_public_schema, use_tenant
from tenants.models import Restaurant
from tests.tenants.factories import TenantHandle, ensure_test_restaurant

PUBLIC_HOST = "dysa.test"


# Function-scoped on purpose: a transactional test flushes the public tables (the tenant
# registry) but not the tenant schemas, so each test re-attaches the registry rows cheaply.
@pytest.fixture
def tenant_a(django_db_setup: None, django_db_blocker: Any) -> TenantHandle:
    with django_db_blocker.unblock():
        return ensure_test_restaurant("alpha", name="Taquería Alfa", locale="es")


@pytest.fixture(scope="session", autouse=True)
def _tenant_a_as_onboarded(django_db_setup: None, django_db_blocker: Any) -> None:
    """A reused test database may keep what an interrupted run's committed tests left in
    tenant A (staff accounts filling the plan's seats, a seeded profile): start from none."""
    from tests.tenant_apps.committed import back_to_onboarding_state

    with django_db_blocker.unblock():
        back_to_onboarding_state(ensure_test_restaurant("alpha", name="Taquería Alfa", locale="es"))


@pytest.fixture
def tenant_b(django_db_setup: None, django_db_blocker: Any) -> TenantHandle:
    with django_db_blocker.unblock():
        return ensure_test_restaurant("bravo", name="Bravo Bistro", locale="en")


@pytest.fixture
def in_tenant_a(tenant_a: TenantHandle, db: None) -> Iterator[Restaurant]:
    """Run the test body with tenant A's schema active."""
    use_tenant(tenant_a.restaurant)
    yield tenant_a.restaurant
    use_public_schema()


@pytest.fixture
def in_tenant_b(tenant_b: TenantHandle, db: None) -> Iterator[Restaurant]:
    use_tenant(tenant_b.restaurant)
    yield tenant_b.restaurant
    use_public_schema()


@pytest.fixture
def public_client() -> Client:
    return Client(HTTP_HOST=PUBLIC_HOST)


@pytest.fixture
def client_a(tenant_a: TenantHandle) -> APIClient:
    return APIClient(HTTP_HOST=tenant_a.host)


@pytest.fixture
def client_b(tenant_b: TenantHandle) -> APIClient:
    return APIClient(HTTP_HOST=tenant_b.host)


@pytest.fixture(autouse=True)
def _back_to_public_schema() -> Iterator[None]:
    yield
    use_public_schema()


@pytest.fixture(scope="session")
def celery_worker_session(django_db_setup: None, django_db_blocker: Any) -> Iterator[object]:
    """A real Celery worker (threads) consuming from the real Redis broker.

    Tests that use it must use `transactional_db`: the worker has its own database
    connection and only sees committed rows.
    """
    from celery.contrib.testing.worker import start_worker

    from config.celery_app import app

    with (
        django_db_blocker.unblock(),
        start_worker(
            app, pool="threads", concurrency=2, perform_ping_check=False, shutdown_timeout=10
        ) as worker,
    ):
        yield worker


@pytest.fixture(autouse=True)
def _fresh_throttles() -> None:
    """Throttle counters live in Redis (and in this process's near side, which also holds
    cache copies) and would outlive a test; every test starts with none.

    Keys are tenant-prefixed, so they are found by pattern on the raw client.
    """
    from django_redis import get_redis_connection  # type: ignore[import-untyped]

    from core.hotpath.near import near_side_reset

    near_side_reset(retry_now=True)

    client = get_redis_connection("default")
    keys = list(client.scan_iter(match="*throttle_*", count=1000))
    if keys:
        client.delete(*keys)
