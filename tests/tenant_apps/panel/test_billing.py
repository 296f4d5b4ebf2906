"""The panel's billing page: the owner sees plan, period, usage against limits and invoices
with their PDFs; other roles get a 403 and no nav entry; another restaurant's PDF is a 404."""

from __future__ import annotations

import pytest

from tests.shared_apps.billing.factories import issued_invoice
from tests.tenant_apps.panel.conftest import panel_client
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db


def test_owner_sees_plan_usage_against_limits_and_invoices(tenant_a: TenantHandle) -> None:
    invoice = issued_invoice(tenant_a.restaurant)
    client, _ = panel_client(tenant_a, "owner")

    page = client.get("/panel/billing/")

    assert page.status_code == 200
    assert 'href="/panel/billing/" aria-current="page"' in page.text
    assert 'data-plan="starter"' in page.text
    # One bar per limit of the starter plan, with its numbers (3 seats, 100 items, 300 chats).
    for key, limit in (("staff_seats", 3), ("menu_items", 100), ("conversations_per_month", 300)):
        assert f'data-limit="{key}"' in page.text
        assert f" / {limit}" in page.text
    assert f'data-invoice="{invoice.pk}"' in page.text
    assert invoice.display_number in page.text
    pdf = client.get(f"/panel/billing/invoices/{invoice.pk}/pdf/")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_viewer_without_billing_view_gets_403_and_no_nav_entry(tenant_a: TenantHandle) -> None:
    invoice = issued_invoice(tenant_a.restaurant)
    for role in ("viewer", "manager"):
        client, _ = panel_client(tenant_a, role)
        assert client.get("/panel/billing/").status_code == 403
        assert client.get(f"/panel/billing/invoices/{invoice.pk}/pdf/").status_code == 403
        assert 'href="/panel/billing/"' not in client.get("/panel/").text


def test_another_restaurants_invoice_pdf_is_404(
    tenant_a: TenantHandle, tenant_b: TenantHandle
) -> None:
    theirs = issued_invoice(tenant_b.restaurant)
    client, _ = panel_client(tenant_a, "owner")

    assert client.get(f"/panel/billing/invoices/{theirs.pk}/pdf/").status_code == 404
    assert theirs.display_number not in client.get("/panel/billing/").text
