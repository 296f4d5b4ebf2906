"""The billing pages in a real browser: the owner's panel page (plan, usage bars, invoices,
PDF link) and the operator's console page (plans, invoices, mark paid), each free of
serious/critical axe violations and screenshotted at 1280 and 390 wide under .artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from core.db import use_public_schema
from shared_apps.accounts.two_factor import two_factor_enroll
from shared_apps.billing.models import Invoice
from shared_apps.billing.subscriptions import plan_get
from tests.e2e.conftest import own_restaurant
from tests.e2e.panel_pages import log_in
from tests.e2e.platform.pages import (
    PASSWORD,
    TIMEOUT_MS,
    check_page,
    console_login,
    platform_url,
)
from tests.shared_apps.billing.factories import issued_invoice
from tests.tenants.factories import TenantHandle

pytestmark = [pytest.mark.e2e]


@pytest.fixture
def billed_restaurant(transactional_db: None) -> Iterator[TenantHandle]:
    yield from own_restaurant("e2e-factura", "Casa Factura")


def test_owner_and_operator_billing_pages(
    live_server: Any, platform_browser: Any, billed_restaurant: TenantHandle
) -> None:
    from playwright.sync_api import expect

    for code in ("starter", "pro", "business"):
        plan_get(code=code)  # the built-in plans (other browser tests empty public tables)
    invoice = issued_invoice(billed_restaurant.restaurant)
    page = platform_browser.new_page(viewport={"width": 1280, "height": 900}, locale="en-US")
    page.set_default_timeout(TIMEOUT_MS)
    base = platform_url(live_server, host=billed_restaurant.host).rstrip("/")
    log_in(page, base, billed_restaurant.owner_email, billed_restaurant.owner_password)
    page.get_by_role("link", name="Facturación").click()
    expect(page.get_by_role("heading", name="Uso este mes")).to_be_visible()
    expect(page.get_by_role("link", name=f"{invoice.display_number} PDF")).to_be_visible()
    check_page(page, "panel-billing")

    use_public_schema()
    operator = get_user_model().objects.create_user("operator@dysa.test", PASSWORD, role="operator")
    two_factor_enroll(user=operator)
    console = platform_browser.new_page(viewport={"width": 1280, "height": 900}, locale="en-US")
    console.set_default_timeout(TIMEOUT_MS)
    console_login(console, live_server, operator)
    console.get_by_role("link", name="Billing").click()
    expect(console.get_by_role("heading", name="Plans")).to_be_visible()
    check_page(console, "console-billing")
    console.get_by_role("button", name=f"Mark paid {invoice.display_number}").click()
    expect(console.get_by_text(f"Invoice {invoice.display_number} paid.")).to_be_visible()
    assert Invoice.objects.get(pk=invoice.pk).status == Invoice.Status.PAID
