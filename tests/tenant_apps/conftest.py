"""Fixtures for the restaurant domain tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django_redis import get_redis_connection  # type: ignore[import-untyped]

from tests.tenants.factories import TenantHandle

# Tests roll their database work back, but Redis keeps what they cached and counted: drop
# this suite's resource cache keys around every test (throttles: tests/conftest.py).
_OWN_KEY_PATTERNS = ("*:dysa:*",)


def _drop_own_cache_keys() -> None:
    redis = get_redis_connection("default")
    for pattern in _OWN_KEY_PATTERNS:
        keys = list(redis.scan_iter(match=pattern, count=1000))
        if keys:
            redis.delete(*keys)


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    _drop_own_cache_keys()
    yield
    _drop_own_cache_keys()


def _delete_domain_rows(schema_name: str) -> None:
    from django_tenants.utils import schema_context

    from tenant_apps.audit.models import AuditEntry
    from tenant_apps.customers.models import Customer
    from tenant_apps.menu.models import Category, MenuItem
    from tenant_apps.orders.models import Order
    from tenant_apps.promotions.models import Promotion, PromotionRedemption
    from tenant_apps.reservations.models import Reservation, Table

    with schema_context(schema_name):
        for model in (
            PromotionRedemption,
            Order,
            Reservation,
            Promotion,
            Customer,
            MenuItem,
            Category,
            Table,
            AuditEntry,
        ):
            model.objects.all().delete()


@pytest.fixture
def committed_tenant_a(transactional_db: None, tenant_a: TenantHandle) -> Iterator[TenantHandle]:
    """Tenant A for tests whose writes really commit (threads, concurrency).

    The transactional flush only empties public tables, so this test's domain rows are
    deleted afterwards, or they would leak into later tests.
    """
    _delete_domain_rows(tenant_a.schema_name)
    yield tenant_a
    _delete_domain_rows(tenant_a.schema_name)
