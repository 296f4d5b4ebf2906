"""Fixtures for the restaurant domain tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django_redis import get_redis_connection  # type: ignore[import-untyped]

from tests.tenant_apps.committed import back_to_onboarding_state
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
            back_to_onboarding_state(handle)


@pytest.fixture
def committed_tenant_a(transactional_db: None, tenant_a: TenantHandle) -> TenantHandle:
    """Tenant A for tests whose writes really commit (threads, concurrency).

    The transactional flush only empties public tables, so this test's rows are deleted
    afterwards (`_committed_rows_undone`), or they would leak into later tests; and before,
    for what an interrupted run left.
    """
    back_to_onboarding_state(tenant_a)
    return tenant_a
