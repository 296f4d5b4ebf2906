"""The console's billing page: operators edit plans and mark invoices paid or void through
billing's services, each with a platform audit entry; support reads but cannot change."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shared_apps.billing.models import Invoice, Plan
from shared_apps.billing.subscriptions import plan_get
from shared_apps.platform_audit.models import PlatformAuditEntry
from tests.shared_apps.billing.factories import issued_invoice
from tests.shared_apps.console.helpers import console_client
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def default_plans() -> None:
    """The built-in plans (browser tests empty the public tables; plan_get restores them)."""
    for code in ("starter", "pro", "business"):
        plan_get(code=code)


PRO_FORM = {
    "pro-monthly_price": "89.00",
    "pro-trial_days": "21",
    "pro-staff_seats": "12",
    "pro-menu_items": "",
    "pro-conversations_per_month": "2500",
    "pro-whatsapp_allowed": "on",
}


def test_operator_edits_a_plan_with_an_audit_entry() -> None:
    client, operator = console_client()
    assert b'data-plan="pro"' in client.get("/console/billing/").content

    response = client.post("/console/billing/plans/pro/", PRO_FORM)

    assert response.status_code == 302
    plan = Plan.objects.get(code="pro")
    assert plan.monthly_price == Decimal("89.00")
    assert (plan.trial_days, plan.staff_seats, plan.menu_items) == (21, 12, None)
    assert (plan.whatsapp_allowed, plan.llm_allowed) == (True, False)
    entry = PlatformAuditEntry.objects.get(action="billing.plan_update", actor=operator)
    assert entry.detail["plan"] == "pro"


def test_a_negative_price_is_refused_and_nothing_changes() -> None:
    client, _ = console_client()
    before = Plan.objects.get(code="pro").monthly_price

    page = client.post(
        "/console/billing/plans/pro/", {**PRO_FORM, "pro-monthly_price": "-1"}, follow=True
    )

    assert "Monthly price" in page.content.decode()
    assert Plan.objects.get(code="pro").monthly_price == before
    assert not PlatformAuditEntry.objects.filter(action="billing.plan_update").exists()


def test_operator_filters_marks_paid_and_voids_with_audit_entries(
    tenant_a: TenantHandle, tenant_b: TenantHandle
) -> None:
    paid = issued_invoice(tenant_a.restaurant)
    voided = issued_invoice(tenant_b.restaurant)
    client, operator = console_client()
    listed = client.get("/console/billing/", {"status": "open"}).content.decode()
    assert f'data-invoice="{paid.pk}"' in listed
    assert f'data-invoice="{voided.pk}"' in listed

    client.post(f"/console/billing/invoices/{paid.pk}/mark-paid/")
    client.post(f"/console/billing/invoices/{voided.pk}/void/", {"reason": "duplicate"})

    assert Invoice.objects.get(pk=paid.pk).status == Invoice.Status.PAID
    assert Invoice.objects.get(pk=voided.pk).status == Invoice.Status.VOID
    actions = list(
        PlatformAuditEntry.objects.filter(actor=operator, action__startswith="billing.invoice")
        .order_by("id")
        .values_list("action", "restaurant_slug")
    )
    assert actions == [("billing.invoice_mark_paid", "alpha"), ("billing.invoice_void", "bravo")]
    still_open = client.get("/console/billing/", {"status": "open"}).content.decode()
    assert f'data-invoice="{paid.pk}"' not in still_open
    # A paid invoice cannot be voided: the service's refusal is shown, nothing recorded.
    refused = client.post(f"/console/billing/invoices/{paid.pk}/void/", follow=True)
    assert "cannot be voided" in refused.content.decode()
    assert Invoice.objects.get(pk=paid.pk).status == Invoice.Status.PAID
    pdf = client.get(f"/console/billing/invoices/{paid.pk}/pdf/")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")


def test_support_reads_billing_but_cannot_mark_paid_or_edit_plans(tenant_a: TenantHandle) -> None:
    invoice = issued_invoice(tenant_a.restaurant)
    client, _ = console_client("support")
    page = client.get("/console/billing/").content.decode()
    assert f'data-invoice="{invoice.pk}"' in page
    assert "/mark-paid/" not in page

    assert client.post(f"/console/billing/invoices/{invoice.pk}/mark-paid/").status_code == 403
    assert client.post("/console/billing/plans/pro/", PRO_FORM).status_code == 403
    assert Invoice.objects.get(pk=invoice.pk).status == Invoice.Status.OPEN
    assert not PlatformAuditEntry.objects.filter(action__startswith="billing.").exists()


def test_an_unknown_invoice_is_404() -> None:
    client, _ = console_client()
    assert client.post("/console/billing/invoices/999999/mark-paid/").status_code == 404
    assert client.get("/console/billing/invoices/999999/pdf/").status_code == 404
