"""Every write is audited by the service that makes it, whoever calls it: here the assistant,
driven through the public web chat API, places an order and cancels a booking."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from core.db import use_public_schema, use_tenant
from tenant_apps.assistant.services import assistant_customer_proven
from tenant_apps.audit.models import AuditEntry
from tenant_apps.conversations.models import Conversation
from tenant_apps.customers.models import Customer
from tenant_apps.customers.services import customer_get_or_create_by_phone
from tenant_apps.orders.models import Order
from tenant_apps.reservations.models import Reservation
from tenant_apps.reservations.services import reservation_create
from tenant_apps.restaurant.selectors import restaurant_local_now
from tests.actors import TEST_ACTOR
from tests.tenant_apps.assistant.restaurant import seed_dialog_restaurant
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db


def _chat(
    client: APIClient, *turns: str, known: tuple[TenantHandle, Customer] | None = None
) -> None:
    session = client.post("/api/v1/chat/sessions/", {"language": "es"}, format="json").json()
    if known is not None:  # a returning customer who came with the restaurant's signed link
        handle, customer = known
        use_tenant(handle.restaurant)
        conversation = Conversation.objects.get(pk=session["conversation"])
        assistant_customer_proven(conversation=conversation, customer_id=customer.pk)
        use_public_schema()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {session['token']}")
    for text in turns:
        response = client.post("/api/v1/chat/messages/", {"text": text}, format="json")
        assert response.status_code == 201, response.content
    client.credentials()


def test_an_order_the_assistant_placed_and_a_booking_it_cancelled_name_it_in_the_audit_log(
    client_a: APIClient, tenant_a: TenantHandle
) -> None:
    cache.clear()  # fresh rate limits for the chat
    use_tenant(tenant_a.restaurant)
    seed_dialog_restaurant()
    customer = customer_get_or_create_by_phone(phone="+34612222013", name="Silvia")
    tomorrow = restaurant_local_now().replace(hour=20, minute=30, second=0, microsecond=0)
    booking = reservation_create(
        actor=TEST_ACTOR,
        customer=customer,
        starts_at=tomorrow + timedelta(days=1),
        party_size=4,
        channel="staff",
    )
    use_public_schema()

    _chat(
        client_a,
        "quiero dos tacos al pastor y una coca grande",
        "eso es todo",
        "para recoger",
        "lo antes posible",
        "Ana",
        "+34 612 345 678",
        "sí",
    )
    _chat(client_a, "quiero cancelar mi reserva", "sí", known=(tenant_a, customer))

    use_tenant(tenant_a.restaurant)
    order = Order.objects.get()
    placed = AuditEntry.objects.get(action="orders.order.create", target_id=str(order.pk))
    assert (placed.actor_id, placed.actor_label) == (None, "assistant")
    assert Reservation.objects.get(pk=booking.pk).status == Reservation.Status.CANCELLED
    cancelled = AuditEntry.objects.get(
        action="reservations.reservation.status", target_id=str(booking.pk)
    )
    assert (cancelled.actor_id, cancelled.actor_label) == (None, "assistant")
    assert cancelled.after == {"status": "cancelled"}
