"""Console pages: operator actions go through the platform's services and are audited;
support reads records of the right restaurant."""

from __future__ import annotations

import pytest

from core.db import use_public_schema, use_tenant
from shared_apps.platform_audit.models import PlatformAuditEntry
from shared_apps.support.models import SupportAccess
from tenant_apps.support_access.indexing import support_index_sync
from tenants.models import Restaurant
from tests.shared_apps.console.helpers import console_client
from tests.tenant_apps.customers.factories import make_customer
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db


def test_operator_suspends_and_reactivates_with_audit_entries(tenant_a: TenantHandle) -> None:
    client, operator = console_client()
    page = client.get("/console/", {"q": "alfa"})
    assert b"Taquer" in page.content

    client.post("/console/restaurants/alpha/suspend/", {"reason": "unpaid"})
    assert Restaurant.objects.get(slug="alpha").status == "suspended"
    client.post("/console/restaurants/alpha/reactivate/")
    assert Restaurant.objects.get(slug="alpha").status == "active"
    actions = list(
        PlatformAuditEntry.objects.filter(restaurant_slug="alpha", actor=operator)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["restaurant.suspend", "restaurant.reactivate"]
    assert b"restaurant.suspend" in client.get("/console/audit/").content


def test_delete_needs_the_typed_slug(tenant_a: TenantHandle) -> None:
    client, _ = console_client()
    response = client.post("/console/restaurants/alpha/delete/", {"confirm": "alph"}, follow=True)
    assert b"type the restaurant" in response.content
    assert Restaurant.objects.get(slug="alpha").status == "active"
    assert not PlatformAuditEntry.objects.filter(action="restaurant.delete").exists()


def test_restaurant_page_shows_secrets_metadata_never_values(tenant_a: TenantHandle) -> None:
    from tenants.models import TenantSecret

    client, _ = console_client()
    page = client.get("/console/restaurants/alpha/").content.decode()
    from tenants.secrets import jwt_signing_key

    jwt_signing_key(schema_name=tenant_a.schema_name)  # a secret exists (made on first use)
    page = client.get("/console/restaurants/alpha/").content.decode()
    secret = TenantSecret.objects.filter(schema_name=tenant_a.schema_name).first()
    assert secret is not None
    assert secret.kind in page
    assert secret.ciphertext not in page
    assert "owner@alpha.example" in page


def test_health_and_accounts_pages(tenant_a: TenantHandle) -> None:
    client, _ = console_client()
    assert b"database" in client.get("/console/health/").content
    created = client.post(
        "/console/accounts/", {"email": "new@dysa.test", "role": "support", "password": ""}
    )
    assert b"otpauth://totp/" in created.content
    assert b"<svg" in created.content
    assert PlatformAuditEntry.objects.filter(action="account.create").exists()


def test_support_search_labels_each_restaurant_and_opens_records(
    tenant_a: TenantHandle, tenant_b: TenantHandle
) -> None:
    ids = {}
    for tenant, name in ((tenant_a, "Lucía"), (tenant_b, "Mark")):
        use_tenant(tenant.restaurant)
        ids[tenant.restaurant.slug] = make_customer(name, phone="+34699000111").pk
        use_public_schema()
        support_index_sync(restaurant=tenant.restaurant)
    client, _ = console_client("support")

    results = client.get("/console/support/", {"q": "699000111"}, HTTP_HX_REQUEST="true")
    html = results.content.decode()
    assert f"/console/support/alpha/customer/{ids['alpha']}/" in html
    assert f"/console/support/bravo/customer/{ids['bravo']}/" in html
    record = client.get(f"/console/support/bravo/customer/{ids['bravo']}/").content.decode()
    assert "Mark" in record
    assert "Bravo Bistro" in record
    assert client.get("/console/support/alpha/customer/999999/").status_code == 404


def test_support_opens_an_access_and_lands_on_the_entry_link(tenant_a: TenantHandle) -> None:
    client, _ = console_client("support")
    response = client.post(
        "/console/support/alpha/access/open/", {"reason": "Owner asked by phone", "minutes": 15}
    )
    assert response.status_code == 200
    assert 'href="http://alpha.dysa.test:8000/support-access/enter/' in response.content.decode()
    assert SupportAccess.objects.get().reason == "Owner asked by phone"
    refused = client.post("/console/support/alpha/access/open/", {"reason": "", "minutes": 15})
    assert refused.status_code == 400


def test_plan_and_usage_this_month_come_from_billing(tenant_a: TenantHandle) -> None:
    from django.utils import timezone

    from shared_apps.billing.models import UsageDay
    from shared_apps.billing.selectors import subscription_of

    UsageDay.objects.update_or_create(
        restaurant=tenant_a.restaurant,
        day=timezone.localdate(),
        defaults={"conversations": 7, "orders": 3, "reservations": 2, "counted_at": timezone.now()},
    )
    client, _ = console_client()
    html = client.get("/console/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "7 chats · 3 orders · 2 bookings" in html
    subscription = subscription_of(restaurant=tenant_a.restaurant)
    if subscription is not None:
        assert subscription.plan.code in html


def test_the_landing_page_shows_the_public_plans_and_prices(tenant_a: TenantHandle) -> None:
    from django.test import Client

    from shared_apps.billing.models import Plan
    from shared_apps.billing.selectors import plan_list
    from tests.conftest import PUBLIC_HOST

    if not plan_list().filter(is_public=True).exists():  # a transactional test flushed them
        Plan.objects.create(code="basic", name_es="Básico", name_en="Basic", monthly_price=29)
    plans = list(plan_list().filter(is_public=True))
    html = Client(HTTP_HOST=PUBLIC_HOST).get("/", {"lang": "en"}).content.decode()
    for plan in plans:
        assert plan.name("en") in html
        assert str(plan.monthly_price) in html
