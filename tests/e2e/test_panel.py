"""The staff panel in a real browser, with the customer on the restaurant's public page.

Given a restaurant open around the clock, when the owner logs in, switches to English and
creates a dish with an option group in the panel, and a visitor orders that dish in the chat
widget of the public page, then the order appears on the open orders board without a reload
and one click advances it; when the visitor asks for a person, staff take the conversation
over and their reply shows in the widget; a table booked on the public page is cancelled in
the panel. Every page is screenshotted (1280 and 390 wide, under .artifacts/panel/) and
axe-core finds no serious or critical violation. A viewer sees no edit controls and a forged
POST is refused.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django_tenants.utils import schema_context

from tenant_apps.menu.models import MenuItem
from tenant_apps.orders.models import Order
from tenant_apps.reservations.models import Reservation
from tenant_apps.restaurant.selectors import restaurant_local_now
from tenant_apps.staff.services import staff_create
from tests.actors import TEST_ACTOR
from tests.e2e.panel_pages import check_page, log_in, report
from tests.tenant_apps.assistant.restaurant import seed_dialog_restaurant
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.e2e
TIMEOUT_MS = 15_000
VIEWER_PASSWORD = "viewer-pass-5521"


def _say(page: Any, text: str) -> None:
    """Type in the widget and wait for the turn's replies (as tests/e2e/test_widget.py)."""
    from playwright.sync_api import expect

    box = page.locator("#dysa-chat textarea")
    sent = page.locator("#dysa-chat .msg.customer")
    before = sent.count()
    box.fill(text)
    box.press("Enter")
    expect(sent).to_have_count(before + 1, timeout=TIMEOUT_MS)
    expect(box).to_have_value("", timeout=TIMEOUT_MS)


def _create_dish_with_options(page: Any, base: str) -> None:
    page.goto(f"{base}/panel/menu/items/new/")
    page.select_option("#id_category", label="Tacos")
    page.fill("#id_name_es", "Burrito norteño")
    page.fill("#id_name_en", "Northern burrito")
    page.fill("#id_price", "8.50")
    page.check("input[name=allergens][value=gluten]")
    page.fill("#id_group0_name_es", "salsa")
    page.fill("#id_group0_name_en", "sauce")
    page.fill("#id_group0_min", "1")
    page.fill("#id_group0_max", "1")
    page.fill("#id_group0_options", "verde / green\nroja / red +0.50")
    page.click("form button[type=submit].primary")
    page.wait_for_url(f"{base}/panel/menu/**")


def test_a_day_at_the_restaurant_in_the_panel(
    live_server: Any, e2e_restaurant: TenantHandle, browser: Any
) -> None:
    from playwright.sync_api import expect

    with schema_context(e2e_restaurant.schema_name):
        seed_dialog_restaurant()
        tomorrow = (restaurant_local_now().date() + timedelta(days=1)).isoformat()
    base = f"http://{e2e_restaurant.host}:{live_server.thread.port}"
    problems: dict[str, Any] = {}
    staff = browser.new_page(viewport={"width": 1280, "height": 900}, locale="es-ES")
    staff.set_default_timeout(TIMEOUT_MS)

    staff.goto(f"{base}/panel/login/")
    check_page(staff, "login", problems)
    log_in(staff, base, e2e_restaurant.owner_email, e2e_restaurant.owner_password)
    expect(staff.locator("html")).to_have_attribute("lang", "es")
    staff.select_option("#panel-language", "en")
    staff.wait_for_load_state()
    expect(staff.locator("html")).to_have_attribute("lang", "en")
    expect(staff.get_by_role("button", name="Log out")).to_be_visible()

    _create_dish_with_options(staff, base)
    expect(staff.locator("tr[data-item]", has_text="Northern burrito")).to_be_visible()
    check_page(staff, "menu", problems)
    with schema_context(e2e_restaurant.schema_name):
        burrito = MenuItem.objects.get(name__es="Burrito norteño")
        assert burrito.option_groups.get().options.count() == 2
    staff.goto(f"{base}/panel/menu/items/{burrito.pk}/")
    check_page(staff, "menu-item", problems)

    staff.goto(f"{base}/panel/orders/")
    check_page(staff, "orders-empty", problems)

    customer = browser.new_page(viewport={"width": 390, "height": 844}, locale="es-ES")
    customer.set_default_timeout(TIMEOUT_MS)
    customer.goto(f"{base}/")
    check_page(customer, "public-page", problems)
    customer.locator("#dysa-chat .bubble").click()
    for text in [
        "hola",
        "quiero un burrito norteño con salsa verde",
        "eso es todo",
        "para recoger",
        "lo antes posible",
        "Ana",
        "+34 612 345 678",
        "sí",
    ]:
        _say(customer, text)

    card = staff.locator("#board article.card")
    expect(card).to_have_count(1, timeout=TIMEOUT_MS)  # arrived by polling, no reload
    expect(card).to_contain_text("Northern burrito")
    expect(staff).to_have_title("(1) Orders · Taquería E2E", timeout=TIMEOUT_MS)
    check_page(staff, "orders", problems)
    card.get_by_role("button", name="Confirm").click()
    expect(staff.locator("#col-confirmed").locator("..").locator("article.card")).to_have_count(1)
    with schema_context(e2e_restaurant.schema_name):
        order = Order.objects.get()
    assert order.status == "confirmed"
    staff.goto(f"{base}/panel/orders/{order.pk}/")
    check_page(staff, "order-detail", problems)
    staff.goto(f"{base}/panel/orders/{order.pk}/ticket/")
    check_page(staff, "order-ticket", problems)

    _say(customer, "quiero hablar con una persona")
    staff.goto(f"{base}/panel/conversations/?status=waiting")
    check_page(staff, "conversations", problems)
    staff.locator("#inbox a", has_text="Conversation").first.click()
    staff.get_by_role("button", name="Take over").click()
    staff.fill("#reply-text", "Hola Ana, soy Marta. ¿En qué te ayudo?")
    staff.get_by_role("button", name="Send").click()
    expect(staff.locator("#thread .msg.staff")).to_have_count(1)
    check_page(staff, "conversation-thread", problems)
    expect(customer.locator("#dysa-chat .msg", has_text="soy Marta")).to_be_visible(
        timeout=TIMEOUT_MS
    )

    customer.goto(f"{base}/?date={tomorrow}&party=2#book")
    customer.locator("input[name=slot]").first.check()
    customer.fill("#b-name", "Lucía")
    customer.fill("#b-phone", "+34 622 000 111")
    customer.locator("#book form[method=post] button.primary").click()
    expect(customer.locator("#book .ok")).to_be_visible()
    staff.goto(f"{base}/panel/reservations/?day={tomorrow}")
    row = staff.locator("tr[data-reservation]", has_text="Lucía")
    row.locator("summary", has_text="Cancel").click()
    row.locator("input[name=reason]").fill("Called to cancel")
    row.get_by_role("button", name="Cancel booking").click()
    expect(staff.locator("tr[data-reservation]", has_text="Lucía")).to_contain_text("Cancelled")
    with schema_context(e2e_restaurant.schema_name):
        booking = Reservation.objects.get(customer__name="Lucía")
    assert (booking.status, booking.cancel_reason) == ("cancelled", "Called to cancel")
    check_page(staff, "reservations-day", problems)
    staff.goto(f"{base}/panel/reservations/?day={tomorrow}&view=week")
    check_page(staff, "reservations-week", problems)

    for name in ("dashboard", "customers", "promotions", "settings", "staff", "audit"):
        staff.goto(f"{base}/panel/{'' if name == 'dashboard' else name + '/'}")
        check_page(staff, name, problems)
    assert problems == {}, report(problems)


def test_a_viewer_sees_no_edit_controls_and_a_forged_post_is_refused(
    live_server: Any, e2e_restaurant: TenantHandle, browser: Any
) -> None:
    from playwright.sync_api import expect

    with schema_context(e2e_restaurant.schema_name):
        items = seed_dialog_restaurant()
        staff_create(
            actor=TEST_ACTOR, email="viewer@e2e.example", role="viewer", password=VIEWER_PASSWORD
        )
    base = f"http://{e2e_restaurant.host}:{live_server.thread.port}"
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.set_default_timeout(TIMEOUT_MS)
    log_in(page, base, "viewer@e2e.example", VIEWER_PASSWORD)
    expect(page.locator("nav a[href='/panel/staff/']")).to_have_count(0)
    page.goto(f"{base}/panel/menu/")
    expect(page.locator("tr[data-item]").first).to_be_visible()
    expect(page.locator("form[action$='/availability/']")).to_have_count(0)
    expect(page.locator("a[href='/panel/menu/items/new/']")).to_have_count(0)
    item = items["pastor"]
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    # A hand-made request from the logged-in page, with a valid CSRF token.
    forged = page.evaluate(
        """async ([url, csrf]) => (await fetch(url, {
            method: "POST", headers: {"X-CSRFToken": csrf}, credentials: "same-origin"
        })).status""",
        [f"{base}/panel/menu/items/{item.pk}/availability/", csrf],
    )
    assert forged == 403
    with schema_context(e2e_restaurant.schema_name):
        item.refresh_from_db()
    assert item.out_of_stock is False
