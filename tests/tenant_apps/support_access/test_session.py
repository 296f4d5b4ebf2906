"""Support inside a restaurant (HTTP level): the entry link, read-only unless the owner allows
writes, every request logged, and the owner's view of it all."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from core.db import use_public_schema
from shared_apps.support.models import SupportAccess, SupportAccessEvent
from shared_apps.support.services import (
    support_access_entry_url,
    support_access_open,
    support_write_set,
)
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db

OWNER_API = "/api/v1/support-access/"


def open_access(tenant: TenantHandle) -> tuple[SupportAccess, str]:
    use_public_schema()
    support = get_user_model().objects.create_user(
        f"s{SupportAccess.objects.count()}@dysa.test", "pass-12345678", role="support"
    )
    access = support_access_open(
        support_user=support, restaurant=tenant.restaurant, reason="Owner asked for help"
    )
    return access, urlparse(support_access_entry_url(access=access)).path


def owner_client(tenant: TenantHandle) -> APIClient:
    client = APIClient(HTTP_HOST=tenant.host)
    token = client.post(
        "/api/v1/auth/token/",
        {"email": tenant.owner_email, "password": tenant.owner_password},
        format="json",
    ).json()["access"]
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def entered(tenant: TenantHandle) -> tuple[Client, SupportAccess]:
    access, path = open_access(tenant)
    browser = Client(HTTP_HOST=tenant.host)
    response = browser.get(path)
    assert response.status_code == 302
    assert response["Location"] == "/panel/"
    return browser, access


def support_creates_customer(browser: Client, phone: str) -> int:
    """Support, inside the panel, tries a write (a new customer); the answer's status."""
    csrf = browser.get("/api/v1/auth/csrf/").json()["csrf_token"]
    return browser.post(
        "/api/v1/customers/",
        {"phone": phone, "name": "Por soporte"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf,
    ).status_code


def test_support_reads_but_cannot_write_without_the_owners_grant(tenant_a: TenantHandle) -> None:
    browser, access = entered(tenant_a)

    assert browser.get("/api/v1/customers/").status_code == 200
    refused = browser.post(
        "/api/v1/customers/",
        {"phone": "+34600999888", "name": "X"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert "read-only" in refused.json()["detail"]
    events = list(
        SupportAccessEvent.objects.filter(access=access).values_list("method", "path", "allowed")
    )
    assert ("GET", "/api/v1/customers/", True) in events
    assert ("POST", "/api/v1/customers/", False) in events


def test_with_the_owners_grant_support_may_write(tenant_a: TenantHandle) -> None:
    owner = owner_client(tenant_a)
    assert (
        owner.put(OWNER_API, {"write_access": True}, format="json").json()["write_access"] is True
    )
    browser, _ = entered(tenant_a)

    assert support_creates_customer(browser, "+34600999777") == 201

    support_write_set(
        restaurant_id=tenant_a.restaurant.pk, enabled=False, changed_by_email="o@x.es"
    )
    assert support_creates_customer(browser, "+34600999666") == 403


def test_an_entry_link_works_once_and_only_on_its_restaurant(
    tenant_a: TenantHandle, tenant_b: TenantHandle
) -> None:
    _, path = open_access(tenant_a)
    assert Client(HTTP_HOST=tenant_b.host).get(path).status_code == 404
    assert Client(HTTP_HOST=tenant_a.host).get(path).status_code == 302
    assert Client(HTTP_HOST=tenant_a.host).get(path).status_code == 404
    assert Client(HTTP_HOST=tenant_a.host).get("/support-access/enter/forged/").status_code == 404


def test_an_expired_access_ends_the_session(tenant_a: TenantHandle) -> None:
    from django.utils import timezone

    browser, access = entered(tenant_a)
    SupportAccess.objects.filter(pk=access.pk).update(expires_at=timezone.now())

    assert browser.get("/api/v1/customers/").status_code in (401, 403)
    with schema_context(tenant_a.schema_name):
        placeholder = get_user_model().objects.get(email__endswith="@support.dysa.invalid")
        assert placeholder.is_active is False  # holds no staff seat between visits
        assert not placeholder.has_usable_password()


def test_an_owner_sees_only_their_own_restaurants_access_log(
    tenant_a: TenantHandle, tenant_b: TenantHandle
) -> None:
    open_access(tenant_a)
    open_access(tenant_b)
    open_access(tenant_b)

    log_a = owner_client(tenant_a).get(OWNER_API).json()
    log_b = owner_client(tenant_b).get(OWNER_API).json()

    assert len(log_a["results"]) == 1
    assert len(log_b["results"]) == 2
    ids_a = {e["id"] for e in log_a["results"]}
    assert ids_a == set(
        SupportAccess.objects.filter(restaurant=tenant_a.restaurant).values_list("id", flat=True)
    )
    assert log_a["write_access"] is False


def test_support_inside_the_panel_cannot_grant_itself_write_access(tenant_a: TenantHandle) -> None:
    browser, _ = entered(tenant_a)
    assert browser.get(OWNER_API).status_code == 403
    csrf = browser.get("/api/v1/auth/csrf/").json()["csrf_token"]
    response = browser.put(
        OWNER_API, {"write_access": True}, content_type="application/json", HTTP_X_CSRFTOKEN=csrf
    )
    assert response.status_code == 403
