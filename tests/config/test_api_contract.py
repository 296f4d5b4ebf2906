"""The API answers only what its OpenAPI schema declares (schemathesis, a bounded number of
generated cases per operation): both schemas, as each role, no 5xx, declared status codes,
bodies matching their schemas. Reads only for now (see _fuzz)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import (
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import PUBLIC_HOST
from tests.tenant_apps.staff.factories import bearer_for, make_staff
from tests.tenants.factories import TenantHandle

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
EXAMPLES = 2
ROLES = ("owner", "manager", "staff", "viewer")


@pytest.fixture
def _wsgi_keeps_the_test_connection() -> Iterator[None]:
    """The WSGI handler closes the database connection at each request's end (Django's test
    client turns that off); the test's transaction must survive the calls."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    # The generated writes are rolled back with the test; what they cached is not.
    cache.clear()


@pytest.fixture
def restaurant_api(tenant_a: TenantHandle, db: None, _wsgi_keeps_the_test_connection: None) -> Any:
    return schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", get_wsgi_application(), headers={"Host": tenant_a.host}
    )


@pytest.fixture
def role_headers(tenant_a: TenantHandle) -> dict[str, dict[str, str]]:
    return {
        role: {
            "Host": tenant_a.host,
            "Authorization": f"Bearer {bearer_for(tenant_a, make_staff(tenant_a, role))}",
        }
        for role in ROLES
    } | {"anonymous": {"Host": tenant_a.host}}


def _fuzz_operation(
    operation: Any, headers: dict[str, dict[str, str]], failures: list[str]
) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,  # the same cases every run: a failure is a change, not luck
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        for sent in headers.values():
            case.call_and_validate(headers=sent, checks=CHECKS)

    try:
        run()
    except Exception as error:
        failures.append(f"{operation.label}: {str(error)[:600]}")


def _fuzz(schema: Any, headers: dict[str, dict[str, str]]) -> list[str]:
    """Run EXAMPLES generated cases of every operation as each principal; the failures."""
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        # Reads only: schemathesis' WSGI transport does not run inside the test's transaction,
        # so generated writes would change the shared test restaurants for good.
        if operation.method.upper() == "GET":
            _fuzz_operation(operation, headers, failures)
    return failures


@pytest.mark.django_db
def test_the_restaurant_api_keeps_its_contract(
    restaurant_api: Any, role_headers: dict[str, dict[str, str]]
) -> None:
    assert _fuzz(restaurant_api, role_headers) == []


@pytest.fixture
def platform_api(db: None, _wsgi_keeps_the_test_connection: None) -> Any:
    return schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", get_wsgi_application(), headers={"Host": PUBLIC_HOST}
    )


@pytest.fixture
def platform_headers(db: None) -> dict[str, dict[str, str]]:
    from django.contrib.auth import get_user_model

    from tenants.auth import token_pair_issue

    headers = {"anonymous": {"Host": PUBLIC_HOST}}
    for role in ("operator", "support"):
        user = get_user_model().objects.create_user(f"{role}-contract@dysa.test", role=role)
        access = token_pair_issue(user=user).access
        headers[role] = {"Host": PUBLIC_HOST, "Authorization": f"Bearer {access}"}
    return headers


@pytest.mark.django_db
def test_the_platform_api_keeps_its_contract(
    platform_api: Any, platform_headers: dict[str, dict[str, str]]
) -> None:
    assert _fuzz(platform_api, platform_headers) == []
