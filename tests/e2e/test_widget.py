"""The chat widget embedded in another website: a visitor orders, then staff answer.

Given a restaurant with a menu whose chat settings allow a second website, when a visitor on
that website opens the widget and chats an order to completion, then the order is in the
database with the right lines and total; and when staff reply through the staff API, the
reply appears in the open widget without a reload.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest
from django_tenants.utils import schema_context

from tenant_apps.conversations.models import Conversation
from tenant_apps.messaging.services import webchat_settings_update
from tenant_apps.orders.models import Order
from tests.actors import TEST_ACTOR
from tests.e2e.conftest import RESULTS_DIR, EmbeddingSite
from tests.tenant_apps.assistant.restaurant import seed_dialog_restaurant
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.e2e

ORDER_TURNS = [
    "hola",
    "quiero dos tacos al pastor y una coca grande",
    "eso es todo",
    "para recoger",
    "lo antes posible",
    "Ana",
    "+34 612 345 678",
    "sí",
]
STAFF_REPLY = "¡Hola Ana! Tu pedido sale en 15 minutos. <b>gracias</b>"
TIMEOUT_MS = 10_000


def _say(page: Any, text: str) -> None:
    """Type a message, send it with Enter and wait until the turn's replies are shown."""
    from playwright.sync_api import expect

    box = page.locator("#dysa-chat textarea")
    customer_messages = page.locator("#dysa-chat .msg.customer")
    sent_before = customer_messages.count()
    box.fill(text)
    box.press("Enter")
    expect(customer_messages).to_have_count(sent_before + 1, timeout=TIMEOUT_MS)
    expect(customer_messages.last).to_have_text(text)
    # The input is cleared once the turn (message and replies) came back and was rendered.
    expect(box).to_have_value("", timeout=TIMEOUT_MS)
    expect(page.locator("#dysa-chat .err")).to_have_text("")
    expect(page.locator("#dysa-chat .msg").last).to_have_attribute("data-sender", "bot")


def _staff_reply(live_server: Any, restaurant: TenantHandle, conversation_id: int) -> None:
    host = f"{restaurant.host}:{live_server.thread.port}"
    with httpx.Client(base_url=live_server.url, headers={"Host": host}, timeout=10) as api:
        token = api.post(
            "/api/v1/auth/token/",
            json={"email": restaurant.owner_email, "password": restaurant.owner_password},
        )
        assert token.status_code == 200, token.text
        reply = api.post(
            f"/api/v1/conversations/{conversation_id}/reply/",
            json={"text": STAFF_REPLY},
            headers={"Authorization": f"Bearer {token.json()['access']}"},
        )
        assert reply.status_code == 201, reply.text


def test_a_visitor_orders_in_the_embedded_widget_and_sees_the_staff_reply(
    live_server: Any, e2e_restaurant: TenantHandle, embedding_site: EmbeddingSite, browser: Any
) -> None:
    from playwright.sync_api import expect

    with schema_context(e2e_restaurant.schema_name):
        items = seed_dialog_restaurant()
        webchat_settings_update(actor=TEST_ACTOR, allowed_origins=[embedding_site.origin])
    page = browser.new_page(viewport={"width": 1000, "height": 720}, locale="es-ES")
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(embedding_site.page_url)

    page.locator("#dysa-chat .bubble").click()
    expect(page.locator("#dysa-chat .panel")).to_be_visible()
    for text in ORDER_TURNS:
        _say(page, text)

    with schema_context(e2e_restaurant.schema_name):
        order = Order.objects.select_related("customer").prefetch_related("lines").get()
        lines = sorted((line.item_id, line.quantity) for line in order.lines.all())
        conversation = Conversation.objects.get()
    assert lines == sorted([(items["pastor"].pk, 2), (items["coca"].pk, 1)])
    assert order.total == Decimal("10.50")
    assert order.order_type == "pickup"
    assert order.customer is not None
    assert order.customer.phone == "+34612345678"
    expect(page.locator("#dysa-chat .msg.bot").last).to_contain_text(str(order.number))

    _staff_reply(live_server, e2e_restaurant, conversation.pk)

    staff_message = page.locator("#dysa-chat .msg.staff")
    expect(staff_message).to_have_count(1, timeout=TIMEOUT_MS)
    # Shown as text: the markup in the reply is data, never HTML.
    expect(staff_message).to_contain_text(STAFF_REPLY)
    expect(staff_message.locator("b")).to_have_count(0)
    RESULTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS_DIR / "e2e-widget-order-and-staff-reply.png"))
