"""Menu search: Spanish and English, accent and typo tolerant."""

from __future__ import annotations

import pytest

from tenant_apps.menu.models import Category
from tenant_apps.menu.selectors import menu_item_search
from tests.tenant_apps.menu.factories import make_category, make_item

pytestmark = pytest.mark.usefixtures("in_tenant_a")


@pytest.fixture
def menu(in_tenant_a: object) -> Category:
    tacos = make_category("Tacos", "Tacos")
    make_item(
        tacos,
        "Tacos al pastor",
        "Al pastor tacos",
        description_es="Cerdo adobado con piña",
        description_en="Marinated pork with pineapple",
    )
    make_item(tacos, "Nachos con jalapeño", "Jalapeño nachos")
    burgers = make_category("Hamburguesas", "Burgers")
    make_item(burgers, "Hamburguesa clásica", "Classic burger")
    make_item(burgers, "Alitas picantes", "Spicy chicken wings")
    drinks = make_category("Bebidas", "Drinks")
    make_item(drinks, "Coca-Cola grande", "Large Coca-Cola")
    return tacos


def names(items: list) -> list[str]:  # type: ignore[type-arg]
    return [item.name["es"] for item in items]


@pytest.mark.usefixtures("menu")
@pytest.mark.parametrize(
    ("query", "language", "expected"),
    [
        ("jalapeno", "es", "Nachos con jalapeño"),
        ("jalapeño", "en", "Nachos con jalapeño"),
        ("hamburgesa", "es", "Hamburguesa clásica"),
        ("hamburguesa clasica", "es", "Hamburguesa clásica"),
        ("burgers", "en", "Hamburguesa clásica"),
        ("wings", "en", "Alitas picantes"),
        ("alitas", "es", "Alitas picantes"),
        ("coca cola grande", "es", "Coca-Cola grande"),
        ("pastor", "es", "Tacos al pastor"),
        ("piña", "es", "Tacos al pastor"),
        ("pineapple", "en", "Tacos al pastor"),
        ("quiero unos tacos al pastor", "es", "Tacos al pastor"),
    ],
)
def test_search_finds_the_dish_despite_accents_and_typos(
    query: str, language: str, expected: str
) -> None:
    results = menu_item_search(query=query, language=language)

    assert results, f"nothing found for {query!r}"
    assert names(results)[0] == expected


@pytest.mark.usefixtures("menu")
def test_search_ignores_unrelated_words() -> None:
    assert menu_item_search(query="sushi", language="es") == []
    assert menu_item_search(query="   ", language="es") == []


def test_search_skips_hidden_categories_and_can_skip_unavailable_items() -> None:
    hidden = make_category("Secreto", "Secret", visible=False)
    make_item(hidden, "Taco secreto", "Secret taco")
    shown = make_category("Tacos", "Tacos")
    make_item(shown, "Taco agotado", "Sold out taco", out_of_stock=True)

    assert names(menu_item_search(query="taco", language="es")) == ["Taco agotado"]
    assert menu_item_search(query="taco", language="es", available_only=True) == []


def test_search_respects_the_limit(menu: Category) -> None:
    for number in range(5):
        make_item(menu, f"Taco {number}", f"Taco {number}")

    assert len(menu_item_search(query="taco", language="es", limit=3)) == 3
