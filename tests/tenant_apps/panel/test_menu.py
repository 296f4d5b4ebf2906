"""The menu pages: an item with an option group in both languages, one-tap availability,
ordering and search, through the menu services and permissions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from tenant_apps.menu.models import Category, MenuItem
from tests.tenant_apps.menu.factories import make_category, make_item
from tests.tenant_apps.panel.conftest import panel_client
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db


def _category(handle: TenantHandle) -> Category:
    with schema_context(handle.schema_name):
        return make_category("Burritos", "Burritos")


def test_a_manager_creates_an_item_with_an_option_group(tenant_a: TenantHandle) -> None:
    category = _category(tenant_a)
    client, _ = panel_client(tenant_a, "manager")
    assert client.get("/panel/menu/items/new/").status_code == 200
    response = client.post(
        "/panel/menu/items/new/",
        {
            "category": category.pk,
            "name_es": "Burrito de cochinita",
            "name_en": "Cochinita burrito",
            "price": "8.50",
            "allergens": ["gluten"],
            "dietary_tags": ["spicy"],
            "is_available": "on",
            "group0_name_es": "Salsa",
            "group0_name_en": "Sauce",
            "group0_min": "1",
            "group0_max": "1",
            "group0_options": "Verde / Green\nRoja / Red +0.50",
        },
    )
    assert response.status_code == 302, response.text
    with schema_context(tenant_a.schema_name):
        item = MenuItem.objects.get(name__es="Burrito de cochinita")
        group = item.option_groups.get()
        options = [(o.name["en"], o.price_delta) for o in group.options.order_by("position")]
    assert item.price == Decimal("8.50")
    assert item.allergens == ["gluten"]
    assert (group.name, group.min_selections) == ({"es": "Salsa", "en": "Sauce"}, 1)
    assert options == [("Green", Decimal("0")), ("Red", Decimal("0.50"))]


def test_a_bad_item_keeps_what_was_typed_and_says_what_is_wrong(tenant_a: TenantHandle) -> None:
    category = _category(tenant_a)
    client, _ = panel_client(tenant_a, "manager")
    response = client.post(
        "/panel/menu/items/new/",
        {
            "category": category.pk,
            "name_es": "Burrito raro",
            "price": "-3",
            "group0_options": "Verde / Green",
        },
    )
    assert response.status_code == 400
    assert 'value="Burrito raro"' in response.text
    assert response.text.count('class="field-error"') >= 2  # the price and the unnamed group
    with schema_context(tenant_a.schema_name):
        assert not MenuItem.objects.filter(name__es="Burrito raro").exists()


def test_staff_toggle_availability_in_one_tap_but_cannot_edit(tenant_a: TenantHandle) -> None:
    with schema_context(tenant_a.schema_name):
        item = make_item(make_category())
    client, _ = panel_client(tenant_a, "staff")
    page = client.get("/panel/menu/")
    assert f"/panel/menu/items/{item.pk}/availability/" in page.text
    assert f'href="/panel/menu/items/{item.pk}/"' not in page.text
    row = client.post(f"/panel/menu/items/{item.pk}/availability/", HTTP_HX_REQUEST="true")
    assert row.status_code == 200
    assert row.text.strip().startswith("<tr")
    with schema_context(tenant_a.schema_name):
        item.refresh_from_db()
    assert item.out_of_stock is True
    assert client.get("/panel/menu/items/new/").status_code == 403


def test_moving_an_item_up_swaps_it_with_the_one_above(tenant_a: TenantHandle) -> None:
    with schema_context(tenant_a.schema_name):
        category = make_category()
        first = make_item(category, "Uno", "One")
        second = make_item(category, "Dos", "Two")
    client, _ = panel_client(tenant_a, "manager")
    client.post(f"/panel/menu/items/{second.pk}/move/", {"direction": "up"})
    with schema_context(tenant_a.schema_name):
        ordered = list(category.items.order_by("position", "id").values_list("pk", flat=True))
    assert ordered == [second.pk, first.pk]


def test_search_finds_items_despite_a_typo(tenant_a: TenantHandle) -> None:
    with schema_context(tenant_a.schema_name):
        item = make_item(make_category(), "Hamburguesa doble", "Double burger")
    client, _ = panel_client(tenant_a, "viewer")
    page = client.get("/panel/menu/?q=hamburgesa")
    assert f'data-item="{item.pk}"' in page.text
    assert "/availability/" not in page.text


def test_a_manager_deletes_an_item_and_then_its_category_after_confirming(
    tenant_a: TenantHandle,
) -> None:
    category = _category(tenant_a)
    with schema_context(tenant_a.schema_name):
        item = make_item(category, "Burrito de pollo", "Chicken burrito")
    client, _ = panel_client(tenant_a, "manager")
    assert (
        f"/panel/menu/items/{item.pk}/delete/" in client.get(f"/panel/menu/items/{item.pk}/").text
    )
    confirm = client.get(f"/panel/menu/items/{item.pk}/delete/")
    assert confirm.status_code == 200
    assert "Burrito de pollo" in confirm.text
    # A category that still has items is refused by the service, its reason shown.
    refused = client.post(f"/panel/menu/categories/{category.pk}/delete/")
    assert refused.status_code == 409
    assert 'role="alert"' in refused.text
    assert client.post(f"/panel/menu/items/{item.pk}/delete/").status_code == 302
    assert client.post(f"/panel/menu/categories/{category.pk}/delete/").status_code == 302
    with schema_context(tenant_a.schema_name):
        assert not MenuItem.objects.filter(pk=item.pk).exists()
        assert not Category.objects.filter(pk=category.pk).exists()


def test_staff_cannot_delete_menu_entries(tenant_a: TenantHandle) -> None:
    category = _category(tenant_a)
    with schema_context(tenant_a.schema_name):
        item = make_item(category, "Taco", "Taco")
    client, _ = panel_client(tenant_a, "staff")
    assert "/delete/" not in client.get("/panel/menu/").text
    assert client.get(f"/panel/menu/items/{item.pk}/delete/").status_code == 403
    assert client.post(f"/panel/menu/items/{item.pk}/delete/").status_code == 403
    assert client.post(f"/panel/menu/categories/{category.pk}/delete/").status_code == 403
    with schema_context(tenant_a.schema_name):
        assert MenuItem.objects.filter(pk=item.pk).exists()
