"""Platform support API: search, access to a restaurant, the access log; and who may use them."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from core.db import use_public_schema, use_tenant
from shared_apps.support.models import SupportAccess
from tenant_apps.support_access.indexing import support_index_sync
from tenants.auth import token_pair_issue
from tests.conftest import PUBLIC_HOST
from tests.tenant_apps.customers.factories import make_customer
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db

SEARCH = "/api/platform/v1/support/search/"
ACCESS = "/api/platform/v1/support/access/"
LOG = "/api/platform/v1/support/access-log/"


def platform_client(role: str) -> APIClient:
    user = get_user_model().objects.create_user(f"{role}@dysa.test", "pass-12345678", role=role)
    client = APIClient(HTTP_HOST=PUBLIC_HOST)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_pair_issue(user=user).access}")
    return client


@pytest.fixture
def support() -> APIClient:
    return platform_client("support")


@pytest.fixture
def operator() -> APIClient:
    return platform_client("operator")


def test_search_answers_results_with_restaurant_kind_id_summary_and_took_ms(
    support: APIClient, tenant_a: TenantHandle, tenant_b: TenantHandle
) -> None:
    for tenant in (tenant_a, tenant_b):
        use_tenant(tenant.restaurant)
        make_customer("Rosa", phone="+34655000111")
        use_public_schema()
        support_index_sync(restaurant=tenant.restaurant)

    body = support.get(SEARCH, {"q": "655 000 111"}).json()

    assert sorted(r["restaurant"] for r in body["results"]) == ["alpha", "bravo"]
    assert set(body["results"][0]) == {"restaurant", "kind", "id", "summary"}
    assert isinstance(body["took_ms"], float)
    assert support.get(SEARCH, {"q": "x"}).status_code == 400
    assert support.get(SEARCH, {"q": "abc", "restaurant": "alpha"}).status_code == 400


def test_support_cannot_reach_operator_actions(support: APIClient, tenant_a: TenantHandle) -> None:
    assert (
        support.post(
            f"/api/platform/v1/tenants/{tenant_a.restaurant.slug}/suspend/", {}, format="json"
        ).status_code
        == 403
    )
    assert (
        support.delete(f"/api/platform/v1/tenants/{tenant_a.restaurant.slug}/").status_code == 403
    )
    onboard = {"slug": "evil", "name": "Evil", "owner_email": "x@evil.test"}
    assert support.post("/api/platform/v1/tenants/", onboard, format="json").status_code == 403
    assert support.get(LOG).status_code == 403


def test_a_restaurant_token_never_opens_the_platform_api(
    tenant_a: TenantHandle, client_a: APIClient
) -> None:
    access = client_a.post(
        "/api/v1/auth/token/",
        {"email": tenant_a.owner_email, "password": tenant_a.owner_password},
        format="json",
    ).json()["access"]
    platform = APIClient(HTTP_HOST=PUBLIC_HOST, HTTP_AUTHORIZATION=f"Bearer {access}")
    for path in (SEARCH + "?q=abc", LOG, "/api/platform/v1/tenants/"):
        assert platform.get(path).status_code == 401
    assert (
        platform.post(
            ACCESS, {"restaurant": "alpha", "reason": "x" * 20}, format="json"
        ).status_code
        == 401
    )


def test_access_needs_a_reason_and_a_sane_duration(
    support: APIClient, tenant_a: TenantHandle
) -> None:
    short = support.post(ACCESS, {"restaurant": "alpha", "reason": "help"}, format="json")
    assert short.status_code == 400
    assert "reason" in short.json()["errors"]
    long = support.post(
        ACCESS,
        {"restaurant": "alpha", "reason": "Owner asked by phone", "minutes": 100000},
        format="json",
    )
    assert long.status_code == 400
    assert "minutes" in long.json()["errors"]
    assert (
        support.post(
            ACCESS, {"restaurant": "nope", "reason": "Owner asked by phone"}, format="json"
        ).status_code
        == 404
    )
    assert not SupportAccess.objects.exists()


def test_access_is_opened_for_thirty_minutes_read_only_and_logged_for_operators(
    support: APIClient, operator: APIClient, tenant_a: TenantHandle
) -> None:
    opened = support.post(
        ACCESS, {"restaurant": "alpha", "reason": "Owner cannot see orders"}, format="json"
    )
    assert opened.status_code == 201
    body: dict[str, Any] = opened.json()
    assert body["can_write"] is False
    assert body["entry_url"].startswith("http://alpha.dysa.test:8000/support-access/enter/")
    access = SupportAccess.objects.get()
    minutes = (access.expires_at - access.created).total_seconds() / 60
    assert 29.9 < minutes < 30.1

    log = operator.get(LOG).json()["results"]
    assert [(e["restaurant"], e["support_email"], e["reason"]) for e in log] == [
        ("alpha", "support@dysa.test", "Owner cannot see orders")
    ]


def test_operator_actions_through_the_platform_api_are_in_the_platform_audit_log(
    operator: APIClient, tenant_a: TenantHandle
) -> None:
    from shared_apps.platform_audit.models import PlatformAuditEntry

    operator.post("/api/platform/v1/tenants/alpha/suspend/", {"reason": "x"}, format="json")
    operator.post("/api/platform/v1/tenants/alpha/reactivate/", format="json")
    refused = operator.delete("/api/platform/v1/tenants/alpha/")  # no backup: 409

    assert refused.status_code == 409
    assert list(
        PlatformAuditEntry.objects.filter(restaurant_slug="alpha")
        .order_by("id")
        .values_list("actor_email", "action")
    ) == [
        ("operator@dysa.test", "restaurant.suspend"),
        ("operator@dysa.test", "restaurant.reactivate"),
    ]
