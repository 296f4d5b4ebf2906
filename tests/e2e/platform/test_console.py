"""Browser flows on the platform host: the operator suspends and reactivates a restaurant,
support finds a phone in two restaurants and enters one read-only (banner, log, no writes)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from core.db import use_public_schema
from shared_apps.accounts.two_factor import two_factor_enroll
from shared_apps.support.models import SupportAccess, SupportAccessEvent
from tenant_apps.support_access.indexing import support_index_sync
from tenants.models import Restaurant
from tests.e2e.conftest import own_restaurant
from tests.e2e.platform.pages import (
    PASSWORD,
    TIMEOUT_MS,
    check_page,
    console_login,
    platform_url,
)
from tests.tenants.factories import TenantHandle

pytestmark = [pytest.mark.e2e]

PHONE = "+34622333444"


@pytest.fixture
def restaurant_one(transactional_db: None) -> Iterator[TenantHandle]:
    yield from own_restaurant("e2e-uno", "Casa Uno")


@pytest.fixture
def restaurant_two(transactional_db: None) -> Iterator[TenantHandle]:
    yield from own_restaurant("e2e-dos", "Bar Dos")


def account(role: str) -> Any:
    use_public_schema()
    user = get_user_model().objects.create_user(f"{role}@dysa.test", PASSWORD, role=role)
    two_factor_enroll(user=user)
    return user


def test_operator_suspends_and_reactivates_a_restaurant(
    live_server: Any, platform_browser: Any, restaurant_one: TenantHandle
) -> None:
    from playwright.sync_api import expect

    operator = account("operator")
    page = platform_browser.new_page(viewport={"width": 1280, "height": 900}, locale="en-US")
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(platform_url(live_server, "/console/login/"))
    check_page(page, "console-login")
    console_login(page, live_server, operator)
    expect(page.get_by_role("heading", name="Restaurants")).to_be_visible()
    check_page(page, "console-restaurants")

    page.get_by_role("link", name="Casa Uno").click()
    expect(page.get_by_role("heading", name="Casa Uno")).to_be_visible()
    check_page(page, "console-restaurant")
    page.get_by_label("Reason for suspending").fill("unpaid invoice")
    page.get_by_role("button", name="Suspend").click()
    expect(page.get_by_text("Suspended.")).to_be_visible()
    assert Restaurant.objects.get(slug="e2e-uno").status == "suspended"

    page.get_by_role("button", name="Reactivate").click()
    expect(page.get_by_text("Reactivated.")).to_be_visible()
    assert Restaurant.objects.get(slug="e2e-uno").status == "active"

    page.get_by_role("link", name="Audit log").click()
    expect(page.locator("td.code", has_text="restaurant.reactivate")).to_be_visible()
    check_page(page, "console-audit")
    pages = {"health": "/console/health/", "accounts": "/console/accounts/",
             "onboard": "/console/onboard/",
             "support-access-log": "/console/support/access-log/"}  # fmt: skip
    for name, path in pages.items():
        page.goto(platform_url(live_server, path))
        check_page(page, f"console-{name}")


def _seed_phone(tenant: TenantHandle, name: str) -> None:
    from django_tenants.utils import schema_context

    from tenant_apps.customers.services import customer_get_or_create_by_phone

    with schema_context(tenant.schema_name):
        customer_get_or_create_by_phone(phone=PHONE, name=name, language="es")
    support_index_sync(restaurant=Restaurant.objects.get(pk=tenant.restaurant.pk))


def test_support_finds_a_phone_in_two_restaurants_and_enters_one_read_only(
    live_server: Any,
    platform_browser: Any,
    restaurant_one: TenantHandle,
    restaurant_two: TenantHandle,
) -> None:
    from playwright.sync_api import expect

    _seed_phone(restaurant_one, "Lucía Uno")
    _seed_phone(restaurant_two, "Mark Dos")
    support = account("support")
    page = platform_browser.new_page(viewport={"width": 1280, "height": 900}, locale="en-US")
    page.set_default_timeout(TIMEOUT_MS)
    console_login(page, live_server, support)
    expect(page.get_by_role("heading", name="Search every restaurant")).to_be_visible()

    page.get_by_label("Phone, email, order number").fill("622 333 444")
    page.get_by_role("button", name="Search").click()
    rows = page.locator("tr[data-restaurant]")
    expect(rows).to_have_count(2)
    expect(page.locator("tr[data-restaurant='e2e-uno']")).to_contain_text("Casa Uno")
    expect(page.locator("tr[data-restaurant='e2e-uno']")).to_contain_text("Lucía Uno")
    expect(page.locator("tr[data-restaurant='e2e-dos']")).to_contain_text("Bar Dos")
    expect(page.locator("tr[data-restaurant='e2e-dos']")).to_contain_text("Mark Dos")
    check_page(page, "support-search")

    page.locator("tr[data-restaurant='e2e-dos'] a").click()
    expect(page.get_by_role("heading", name="Mark Dos")).to_be_visible()
    check_page(page, "support-record")
    page.get_by_label("Why do you need access?").fill("Owner cannot find a customer")
    page.get_by_role("button", name="Open the panel").click()
    page.get_by_role("link", name="Open the panel").click()

    page.wait_for_url(f"**{restaurant_two.host}**/panel/**")
    banner = page.locator(".support-banner")
    expect(banner).to_contain_text("Owner cannot find a customer")
    # The panel speaks the restaurant's language (Spanish here).
    expect(banner).to_contain_text(re.compile("read only|solo lectura"))
    check_page(page, "support-panel-banner")

    status = page.evaluate(
        """async () => {
            const csrf = document.cookie.split('; ').find(c => c.startsWith('csrftoken='));
            const r = await fetch('/api/v1/customers/', {method: 'POST',
                headers: {'Content-Type': 'application/json',
                          'X-CSRFToken': csrf ? csrf.split('=')[1] : ''},
                body: JSON.stringify({phone: '+34600111222', name: 'Nope'})});
            return r.status;
        }"""
    )
    assert status == 403
    access = SupportAccess.objects.get()
    assert access.restaurant_id == restaurant_two.restaurant.pk
    events = set(SupportAccessEvent.objects.filter(access=access).values_list("method", "allowed"))
    assert ("GET", True) in events
    assert ("POST", False) in events
