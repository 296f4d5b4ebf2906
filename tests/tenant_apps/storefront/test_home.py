"""The restaurant's public page: menu (escaped, prices in its currency), hours and today's
status, booking a table on the availability service, Open Graph tags and the widget."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from core.db import use_public_schema, use_tenant
from tenant_apps.menu.services import category_create, menu_item_create
from tenant_apps.reservations.models import Reservation
from tenant_apps.restaurant.selectors import restaurant_local_now
from tests.actors import TEST_ACTOR
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db


def test_home_shows_the_menu_and_the_widget(client_a: APIClient, tenant_a: TenantHandle) -> None:
    use_tenant(tenant_a.restaurant)
    category = category_create(actor=TEST_ACTOR, name={"es": "Tacos"})
    menu_item_create(
        actor=TEST_ACTOR,
        category=category,
        name={"es": "Tacos <b>al pastor</b>"},
        price=Decimal("3.50"),
        allergens=["gluten"],
    )
    use_public_schema()

    body = client_a.get("/", HTTP_ACCEPT="text/html").content.decode()

    assert "Tacos &lt;b&gt;al pastor&lt;/b&gt;" in body
    assert "3,50 €" in body
    assert 'data-allergens="gluten"' in body
    assert '<script src="/widget.js" defer></script>' in body
    assert '<meta property="og:title" content="Taquería Alfa">' in body


def test_the_page_speaks_english_when_asked(tenant_a: TenantHandle) -> None:
    body = Client(HTTP_HOST=tenant_a.host).get("/?lang=en").content.decode()
    assert '<html lang="en">' in body
    assert "Book a table" in body


def test_a_visitor_sees_free_times_and_books_a_table(tenant_a: TenantHandle) -> None:
    with schema_context(tenant_a.schema_name):
        day = (restaurant_local_now().date() + timedelta(days=1)).isoformat()
    client = Client(HTTP_HOST=tenant_a.host)
    times = client.get(f"/?date={day}&party=2")
    assert 'name="slot"' in times.text
    slot = times.text.split('name="slot" value="')[1].split('"')[0]
    booked = client.post(
        "/", {"slot": slot, "party": "2", "name": "Iker", "phone": "+34 622 111 222"}
    )
    assert booked.status_code == 302
    with schema_context(tenant_a.schema_name):
        reservation = Reservation.objects.select_related("customer").get(customer__name="Iker")
    assert (reservation.party_size, reservation.channel) == (2, "web")
    missing = client.post("/", {"slot": slot, "party": "2", "name": "", "phone": ""})
    assert missing.status_code == 400
