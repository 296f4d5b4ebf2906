"""Fixtures for the restaurant domain tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

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


def _back_to_onboarding_state(handle: TenantHandle) -> None:
    """What committed tests leave that other tests count or read: staff accounts beyond the
    onboarding owner (they fill the plan's staff seats), the profile and opening hours
    (a seeded assistant restaurant, open all day). Rebuilt as onboarding made them."""
    from django_tenants.utils import schema_context

    from shared_apps.accounts.models import User
    from tenant_apps.restaurant.models import ClosedDate, OpeningHours, RestaurantProfile
    from tenant_apps.restaurant.services import restaurant_initialize

    _delete_domain_rows(handle.schema_name)
    with schema_context(handle.schema_name):
        User.objects.exclude(email=handle.owner_email).delete()
        for model in (ClosedDate, OpeningHours, RestaurantProfile):
            model.objects.all().delete()
        restaurant_initialize(restaurant=handle.restaurant)


@pytest.fixture(autouse=True)
def _committed_rows_undone(
    request: pytest.FixtureRequest, django_db_blocker: Any
) -> Iterator[None]:
    """After a transactional test on tenant A: its commits are not rolled back, and the
    flush empties only public tables, so tenant A is put back as onboarding left it."""
    marker = request.node.get_closest_marker("django_db")
    committed = "transactional_db" in request.fixturenames or bool(
        marker and marker.kwargs.get("transaction")
    )
    # Taken now: a fixture's value is gone by the time this one is torn down.
    handle = (
        request.getfixturevalue("tenant_a")
        if committed and "tenant_a" in request.fixturenames
        else None
    )
    yield
    if handle is not None:
        with django_db_blocker.unblock():
            _back_to_onboarding_state(handle)


@pytest.fixture
def committed_tenant_a(transactional_db: None, tenant_a: TenantHandle) -> TenantHandle:
    """Tenant A for tests whose writes really commit (threads, concurrency).

    The transactional flush only empties public tables, so this test's rows are deleted
    afterwards (`_committed_rows_undone`), or they would leak into later tests; and before,
    for what an interrupted run left.
    """
    _back_to_onboarding_state(tenant_a)
    return tenant_a
