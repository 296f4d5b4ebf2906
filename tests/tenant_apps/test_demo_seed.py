"""The demo seeders give each cuisine a bilingual menu, promotions, tables and a profile."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils.module_loading import import_string

from tenant_apps.menu.models import Category, MenuItem
from tenant_apps.menu.selectors import menu_item_search
from tenant_apps.promotions.selectors import promotion_list_current
from tenant_apps.reservations.models import Table
from tenant_apps.restaurant.selectors import restaurant_profile_get
from tenants.demo import DEMO_RESTAURANTS
from tenants.models import Restaurant

pytestmark = pytest.mark.usefixtures("in_tenant_a")


def seed(restaurant: Restaurant, cuisine: str) -> None:
    demo = next(d for d in DEMO_RESTAURANTS if d["cuisine"] == cuisine)
    for path in settings.DYSA_DEMO_SEEDERS:
        import_string(path)(restaurant=restaurant, demo=dict(demo))


@pytest.mark.parametrize("cuisine", ["mexican", "spanish", "burgers"])
def test_each_cuisine_gets_a_bilingual_menu_promotions_tables_and_profile(
    in_tenant_a: Restaurant, cuisine: str
) -> None:
    seed(in_tenant_a, cuisine)

    assert Category.objects.count() >= 4
    items = list(MenuItem.objects.all())
    assert len(items) >= 15
    assert all(item.name.get("es") and item.name.get("en") for item in items)
    assert any(item.option_groups.exists() for item in items)
    assert any(item.allergens for item in items)
    assert len(promotion_list_current()) >= 3
    assert Table.objects.count() >= 8
    assert restaurant_profile_get().address


def test_mexican_demo_has_the_dishes_the_assistant_talks_about(in_tenant_a: Restaurant) -> None:
    seed(in_tenant_a, "mexican")

    for query, expected in [
        ("tacos al pastor", "Tacos al pastor"),
        ("hamburgesa", "Hamburguesa ranchera"),
        ("coca cola", "Coca-Cola"),
        ("jalapeno", "Nachos con jalapeño"),
        ("alitas", "Alitas picantes"),
    ]:
        found = menu_item_search(query=query, language="es")
        assert found, query
        assert found[0].name["es"] == expected, query
    wings = menu_item_search(query="wings", language="en")
    assert wings[0].name["en"] == "Spicy chicken wings"


def test_seeding_twice_adds_nothing(in_tenant_a: Restaurant) -> None:
    seed(in_tenant_a, "burgers")
    counts = (Category.objects.count(), MenuItem.objects.count(), Table.objects.count())

    seed(in_tenant_a, "burgers")

    assert (Category.objects.count(), MenuItem.objects.count(), Table.objects.count()) == counts
