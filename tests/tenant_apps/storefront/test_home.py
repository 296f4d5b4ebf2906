"""The restaurant's home page shows its menu (escaped) and embeds the chat widget."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from core.db import use_public_schema, use_tenant
from tenant_apps.menu.services import category_create, menu_item_create
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
    )
    use_public_schema()

    body = client_a.get("/", HTTP_ACCEPT="text/html").content.decode()

    assert "Tacos &lt;b&gt;al pastor&lt;/b&gt;" in body
    assert "3.50" in body
    assert '<script src="/widget.js" defer></script>' in body
