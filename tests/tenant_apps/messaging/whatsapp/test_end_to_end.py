"""End to end: a WhatsApp customer orders in Spanish through signed Twilio webhooks; the
order shows in the orders API with channel `whatsapp`, and every reply of the bot reached
the (fake) provider, in the order the bot wrote them."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django_tenants.utils import schema_context

from tenant_apps.conversations.models import Message
from tenant_apps.messaging.models import WhatsAppDelivery, WhatsAppInbound
from tests.tenant_apps.assistant.restaurant import seed_dialog_restaurant
from tests.tenant_apps.messaging.whatsapp.conftest import (
    connect_twilio,
    twilio_inbound,
    twilio_post,
    wait_until,
)
from tests.tenant_apps.messaging.whatsapp.fakes import FakeProvider
from tests.tenant_apps.staff.factories import client_as
from tests.tenants.factories import TenantHandle

CUSTOMER = "+34612777001"
TURNS = [
    "hola",
    "quiero dos tacos al pastor y una coca grande",
    "eso es todo",
    "para recoger",
    "lo antes posible",
    "sí",
]


def _settled(handle: TenantHandle, inbound_count: int) -> bool:
    with schema_context(handle.schema_name):
        return (
            WhatsAppInbound.objects.filter(processed_at__isnull=False).count() == inbound_count
            and not WhatsAppDelivery.objects.filter(state__in=["queued", "sending"]).exists()
        )


def _bot_replies(handle: TenantHandle) -> list[str]:
    with schema_context(handle.schema_name):
        return list(
            Message.objects.filter(direction="out").order_by("id").values_list("text", flat=True)
        )


def test_a_whatsapp_customer_orders_two_items_in_spanish(
    committed_whatsapp_a: TenantHandle, fake_provider: FakeProvider
) -> None:
    handle = committed_whatsapp_a
    with schema_context(handle.schema_name):
        seed_dialog_restaurant()
    connect_twilio(handle)
    for number, text in enumerate(TURNS, start=1):
        params = twilio_inbound(text, sender=CUSTOMER)
        assert twilio_post(Client(), handle, params).status_code == 200
        assert wait_until(lambda n=number: _settled(handle, n)), text  # type: ignore[misc]
    owner = client_as(handle, "owner")
    orders: list[dict[str, Any]] = owner.get("/api/v1/orders/").json()["results"]
    assert len(orders) == 1, _bot_replies(handle)
    order = orders[0]
    assert order["channel"] == "whatsapp"
    lines = sorted((line["quantity"], line["name"]) for line in order["lines"])
    assert [q for q, _ in lines] == [1, 2]
    assert order["total"] == "10.50"
    customer = owner.get(f"/api/v1/customers/{order['customer']}/").json()
    assert customer["phone"] == CUSTOMER
    replies = _bot_replies(handle)
    assert fake_provider.texts() == replies
    assert {s.to for s in fake_provider.sent} == {f"whatsapp:{CUSTOMER}"}
