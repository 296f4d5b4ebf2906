"""The owner's support access page in a real browser.

Given support opened an access to the restaurant with a reason and entered its panel (read
only), when the owner opens "Support access" they see who, why, for how long and what support
viewed; when they allow changes for this case the entry shows "read and write" without a
full reload, and support's next page says so in its banner. Screenshots at 1280 and 390 wide
under .artifacts/panel/; axe-core finds no serious or critical violation.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import pytest
from django.contrib.auth import get_user_model

from core.db import use_public_schema
from shared_apps.support.models import SupportAccess
from shared_apps.support.services import support_access_entry_url, support_access_open
from tests.e2e.panel_pages import check_page, log_in, report
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.e2e
TIMEOUT_MS = 15_000
REASON = "The owner cannot find the hours settings"


def test_the_owner_sees_support_and_grants_write_access_for_the_case(
    live_server: Any, e2e_restaurant: TenantHandle, browser: Any
) -> None:
    from playwright.sync_api import expect

    use_public_schema()
    support_user = get_user_model().objects.create_user(
        "helper@dysa.test", "support-pass-8812", role="support"
    )
    access = support_access_open(
        support_user=support_user, restaurant=e2e_restaurant.restaurant, reason=REASON
    )
    base = f"http://{e2e_restaurant.host}:{live_server.thread.port}"
    problems: dict[str, Any] = {}

    support = browser.new_page(viewport={"width": 1280, "height": 900}, locale="en-GB")
    support.set_default_timeout(TIMEOUT_MS)
    support.goto(base + urlparse(support_access_entry_url(access=access)).path)
    expect(support.locator(".support-banner")).to_contain_text(REASON)
    expect(support.locator(".support-banner")).to_have_attribute("data-can-write", "false")
    support.goto(f"{base}/panel/menu/")

    owner = browser.new_page(viewport={"width": 1280, "height": 900}, locale="es-ES")
    owner.set_default_timeout(TIMEOUT_MS)
    log_in(owner, base, e2e_restaurant.owner_email, e2e_restaurant.owner_password)
    owner.click("nav a[href='/panel/support-access/']")
    row = owner.locator(f"tr[data-support-access='{access.pk}']")
    expect(row).to_contain_text(REASON)
    expect(row).to_contain_text("helper@dysa.test")
    expect(row).to_contain_text("30 minutos")
    expect(row.locator("[data-can-write]")).to_have_text("Solo lectura")
    row.locator("summary").click()
    expect(row.locator(".events")).to_contain_text("/panel/menu/")
    check_page(owner, "support-access", problems)

    row.get_by_role("button", name="Permitir cambios en este caso").click()

    expect(row.locator("[data-can-write]")).to_have_text("Lectura y escritura")
    assert SupportAccess.objects.get(pk=access.pk).can_write is True
    check_page(owner, "support-access-granted", problems)
    support.goto(f"{base}/panel/")
    expect(support.locator(".support-banner")).to_have_attribute("data-can-write", "true")
    assert problems == {}, report(problems)
