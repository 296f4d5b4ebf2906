"""Billing over HTTP: operators (plans, subscriptions, invoices, usage) on the platform host,
owners (their own plan, usage and invoices) on their restaurant's host."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from rest_framework.test import APIClient

from core.db import use_public_schema, use_tenant
from shared_apps.billing.models import Invoice, Plan, Subscription
from shared_apps.billing.subscriptions import subscription_renew
from shared_apps.billing.terms import add_months
from tests.shared_apps.billing.activity import conversations_on
from tests.shared_apps.billing.conftest import subscribe
from tests.tenant_apps.staff.factories import client_as
from tests.tenants.factories import TenantHandle
from tests.tenants.test_api import platform_client

pytestmark = pytest.mark.django_db

API = "/api/platform/v1"
START = datetime(2025, 11, 3, 9, 30, tzinfo=UTC)


@pytest.fixture
def operator() -> APIClient:
    return platform_client("operator")


@pytest.fixture
def support() -> APIClient:
    return platform_client("support")


def _invoice(tenant: TenantHandle, plan: Plan) -> Invoice:
    subscription = subscribe(tenant.restaurant, plan, start=START)
    invoice = subscription_renew(subscription=subscription, now=add_months(START))
    assert invoice is not None
    return invoice


def test_operators_edit_plans_and_support_only_reads(
    operator: APIClient, support: APIClient, plans: dict[str, Plan]
) -> None:
    listed = support.get(f"{API}/plans/").json()
    edited = operator.patch(f"{API}/plans/starter/", {"monthly_price": "31.00"}, format="json")
    refused = support.patch(f"{API}/plans/starter/", {"monthly_price": "1.00"}, format="json")
    typo = operator.patch(f"{API}/plans/starter/", {"monthly_prize": "1.00"}, format="json")

    assert {"starter", "pro", "business"} <= {plan["code"] for plan in listed}
    assert edited.status_code == 200
    assert edited.json()["monthly_price"] == "31.00"
    assert refused.status_code == 403
    assert typo.status_code == 400
    assert "monthly_prize" in typo.json()["errors"]


def test_an_operator_upgrades_a_subscription_and_bad_input_changes_nothing(
    tenant_a: TenantHandle, operator: APIClient, plans: dict[str, Plan]
) -> None:
    subscribe(tenant_a.restaurant, plans["starter"])
    url = f"{API}/subscriptions/{tenant_a.restaurant.slug}/"

    unknown_plan = operator.patch(url, {"plan": "platinum", "country": "MX"}, format="json")
    upgraded = operator.patch(url, {"plan": "pro", "country": "MX"}, format="json")
    bad_provider = operator.patch(url, {"payment_provider": "paypal"}, format="json")

    assert unknown_plan.status_code == 400
    assert upgraded.status_code == 200, upgraded.content
    assert (upgraded.json()["plan"], upgraded.json()["country"]) == ("pro", "MX")
    assert bad_provider.status_code == 400
    subscription = Subscription.objects.get(restaurant=tenant_a.restaurant)
    assert subscription.payment_provider == "manual"
    assert operator.get(f"{API}/subscriptions/nowhere/").status_code == 404


def test_each_billing_change_is_in_the_restaurants_audit_trail(
    tenant_a: TenantHandle, operator: APIClient, support: APIClient, plans: dict[str, Plan]
) -> None:
    subscribe(tenant_a.restaurant, plans["starter"])
    slug = tenant_a.restaurant.slug
    operator.patch(f"{API}/subscriptions/{slug}/", {"cancel_at_period_end": True}, format="json")

    events = support.get(f"{API}/subscriptions/{slug}/events/").json()["results"]

    assert (events[0]["action"], events[0]["actor"]) == (
        "subscription.cancel_scheduled",
        "operator:operator@dysa.test",
    )


def test_a_cancelled_subscription_cannot_change_plan(
    tenant_a: TenantHandle, operator: APIClient, plans: dict[str, Plan]
) -> None:
    subscribe(tenant_a.restaurant, plans["starter"], status=Subscription.Status.CANCELLED)

    response = operator.patch(
        f"{API}/subscriptions/{tenant_a.restaurant.slug}/", {"plan": "pro"}, format="json"
    )

    assert response.status_code == 409


def test_operators_list_void_and_download_invoices(
    tenant_a: TenantHandle, tenant_b: TenantHandle, operator: APIClient, plans: dict[str, Plan]
) -> None:
    invoice = _invoice(tenant_a, plans["starter"])
    _invoice(tenant_b, plans["pro"])

    listed = operator.get(f"{API}/invoices/", {"restaurant": tenant_a.restaurant.slug}).json()
    pdf = operator.get(f"{API}/invoices/{invoice.pk}/pdf/")
    voided = operator.post(f"{API}/invoices/{invoice.pk}/void/", {"reason": "test"}, format="json")
    paid_after_void = operator.post(f"{API}/invoices/{invoice.pk}/mark-paid/", format="json")

    assert [row["id"] for row in listed["results"]] == [invoice.pk]
    assert listed["results"][0]["total"] == "35.09"
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert voided.json()["status"] == "void"
    assert paid_after_void.status_code == 409


def test_usage_is_metered_on_demand_and_read_per_restaurant(
    tenant_a: TenantHandle, operator: APIClient, plans: dict[str, Plan]
) -> None:
    use_tenant(tenant_a.restaurant)
    conversations_on(date(2025, 11, 10), count=2)
    use_public_schema()
    slug = tenant_a.restaurant.slug

    refreshed = operator.post(
        f"{API}/usage/{slug}/refresh/",
        {"start": "2025-11-01", "end": "2025-12-01"},
        format="json",
    )
    backwards = operator.post(
        f"{API}/usage/{slug}/refresh/", {"start": "2025-12-01", "end": "2025-11-01"}, format="json"
    )
    read = operator.get(f"{API}/usage/{slug}/", {"start": "2025-11-01", "end": "2025-12-01"})

    assert refreshed.json() == {"days": 30}
    assert backwards.status_code == 400
    assert read.json()["totals"]["conversations"] == 2
    assert read.json()["totals"]["messages"] == {"web": {"in": 2, "out": 4}}


def test_an_owner_sees_the_plan_usage_and_own_invoices_only(
    tenant_a: TenantHandle, tenant_b: TenantHandle, plans: dict[str, Plan]
) -> None:
    owner = client_as(tenant_a, "owner")  # before the 3-seat plan
    own = _invoice(tenant_a, plans["starter"])
    others = _invoice(tenant_b, plans["pro"])

    overview: dict[str, Any] = owner.get("/api/v1/billing/").json()
    invoices = owner.get("/api/v1/billing/invoices/").json()
    own_pdf = owner.get(f"/api/v1/billing/invoices/{own.pk}/pdf/")
    others_pdf = owner.get(f"/api/v1/billing/invoices/{others.pk}/pdf/")

    assert overview["plan"]["code"] == "starter"
    assert overview["status"] == "active"
    assert overview["limits"]["staff_seats"]["limit"] == 3
    assert overview["limits"]["menu_items"]["limit"] == 100
    assert [row["id"] for row in invoices["results"]] == [own.pk]
    assert own_pdf["Content-Type"] == "application/pdf"
    assert others_pdf.status_code == 404
    assert Decimal(invoices["results"][0]["total"]) == Decimal("35.09")
