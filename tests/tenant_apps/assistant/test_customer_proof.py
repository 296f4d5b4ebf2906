"""Anyone in the web chat could act as any customer by typing their phone (finding 1 of the
outside review). Now a typed phone proves nothing: revealing or changing an existing order or
booking needs the one-time code sent to that customer, or the restaurant's signed link."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from tenant_apps.customers.models import Customer
from tenant_apps.customers.verification import customer_link_token
from tenant_apps.orders.models import Order
from tenant_apps.reservations.models import Reservation
from tests.tenant_apps.customers import code_outbox
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db
VICTIM_PHONE = "+34612777001"


@pytest.fixture
def victim(tenant_a: TenantHandle) -> Iterator[Customer]:
    code_outbox.SENT.clear()
    with (
        override_settings(
            DYSA_CUSTOMER_CODE_SENDERS=["tests.tenant_apps.customers.code_outbox.record_code"]
        ),
        schema_context(tenant_a.schema_name),
    ):
        customer = Customer.objects.create(phone=VICTIM_PHONE, name="Víctima")
        starts = timezone.now() + timedelta(days=2)
        Reservation.objects.create(
            customer=customer,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            party_size=2,
            channel="staff",
        )
        Order.objects.create(
            customer=customer,
            channel="staff",
            number=4242,
            status="pending",
            order_type="pickup",
            currency="EUR",
            subtotal=Decimal("12.50"),
            discount=Decimal("0"),
            total=Decimal("12.50"),
        )
        yield customer


def _chat(tenant: TenantHandle, **session: str) -> APIClient:
    client = APIClient(HTTP_HOST=tenant.host)
    response = client.post("/api/v1/chat/sessions/", {"language": "es", **session}, format="json")
    assert response.status_code == 201, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")
    return client


def _say(client: APIClient, text: str) -> str:
    response = client.post("/api/v1/chat/messages/", {"text": text}, format="json")
    assert response.status_code == 201, response.content
    return "\n".join(reply["text"] for reply in response.json()["replies"])


def _booking_status(tenant: TenantHandle) -> str:
    with schema_context(tenant.schema_name):
        return str(Reservation.objects.get(customer__phone=VICTIM_PHONE).status)


def test_a_typed_phone_neither_reveals_nor_cancels_someone_elses_booking_or_order(
    tenant_a: TenantHandle, victim: Customer
) -> None:
    attacker = _chat(tenant_a)

    said = _say(attacker, "quiero cancelar mi reserva")
    said += _say(attacker, VICTIM_PHONE)
    said += _say(attacker, "sí")
    said += _say(attacker, "¿dónde está mi pedido?")
    said += _say(attacker, "cancela mi pedido")
    said += _say(attacker, "sí")

    assert _booking_status(tenant_a) == "confirmed"
    with schema_context(tenant_a.schema_name):
        assert Order.objects.get(number=4242).status == "pending"
    assert "4242" not in said
    assert "código" in said
    assert [phone for phone, _code in code_outbox.SENT][:1] == [VICTIM_PHONE]  # to the victim


def test_the_code_sent_to_the_customer_proves_it(tenant_a: TenantHandle, victim: Customer) -> None:
    visitor = _chat(tenant_a)
    _say(visitor, "¿dónde está mi pedido?")
    _say(visitor, VICTIM_PHONE)

    wrong = _say(visitor, "000001" if code_outbox.SENT[-1][1] != "000001" else "000002")
    right = _say(visitor, code_outbox.SENT[-1][1])

    assert "4242" not in wrong
    assert "4242" in right


def test_a_signed_link_from_the_restaurant_proves_it(
    tenant_a: TenantHandle, victim: Customer
) -> None:
    with schema_context(tenant_a.schema_name):
        token = customer_link_token(customer=victim)
    visitor = _chat(tenant_a, customer_link=token)

    said = _say(visitor, "quiero cancelar mi reserva") + _say(visitor, "sí")

    assert _booking_status(tenant_a) == "cancelled", said
    forged = APIClient(HTTP_HOST=tenant_a.host).post(
        "/api/v1/chat/sessions/", {"customer_link": token[:-3] + "abc"}, format="json"
    )
    assert forged.status_code == 400


def test_a_typed_phone_that_is_no_customer_creates_no_row(tenant_a: TenantHandle) -> None:
    visitor = _chat(tenant_a)

    said = _say(visitor, "¿dónde está mi pedido?") + _say(visitor, "+34612777999")
    said += _say(visitor, "quiero reservar para 2 mañana a las 21:00")

    assert "código" in said  # the same answer as for a customer: nobody learns who is one
    with schema_context(tenant_a.schema_name):
        assert not Customer.objects.filter(phone="+34612777999").exists()
