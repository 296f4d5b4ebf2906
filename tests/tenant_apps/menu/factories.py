"""Menu rows for tests, built through the menu services."""

from __future__ import annotations

from decimal import Decimal

from tenant_apps.menu.models import Category, MenuItem
from tenant_apps.menu.services import (
    OptionGroupInput,
    OptionInput,
    category_create,
    menu_item_create,
)
from tests.actors import TEST_ACTOR


def make_category(
    name_es: str = "Tacos", name_en: str = "Tacos", *, visible: bool = True
) -> Category:
    return category_create(
        actor=TEST_ACTOR, name={"es": name_es, "en": name_en}, is_visible=visible
    )


def make_item(
    category: Category,
    name_es: str = "Tacos al pastor",
    name_en: str = "Al pastor tacos",
    *,
    price: str = "9.50",
    allergens: tuple[str, ...] = (),
    dietary_tags: tuple[str, ...] = (),
    with_options: bool = False,
    available: bool = True,
    out_of_stock: bool = False,
    description_es: str = "",
    description_en: str = "",
) -> MenuItem:
    groups: list[OptionGroupInput] = []
    if with_options:
        groups = [
            OptionGroupInput(
                name={"es": "Tamaño", "en": "Size"},
                min_selections=1,
                max_selections=1,
                options=[
                    OptionInput(name={"es": "Normal", "en": "Regular"}, is_default=True),
                    OptionInput(name={"es": "Grande", "en": "Large"}, price_delta=Decimal("2.00")),
                ],
            ),
            OptionGroupInput(
                name={"es": "Extras", "en": "Extras"},
                min_selections=0,
                max_selections=2,
                options=[
                    OptionInput(name={"es": "Queso", "en": "Cheese"}, price_delta=Decimal("1.00")),
                    OptionInput(
                        name={"es": "Guacamole", "en": "Guacamole"}, price_delta=Decimal("1.50")
                    ),
                    OptionInput(
                        name={"es": "Jalapeños", "en": "Jalapeños"}, price_delta=Decimal("0.50")
                    ),
                ],
            ),
        ]
    return menu_item_create(
        actor=TEST_ACTOR,
        category=category,
        name={"es": name_es, "en": name_en},
        price=Decimal(price),
        description={"es": description_es, "en": description_en},
        allergens=allergens,
        dietary_tags=dietary_tags,
        option_groups=groups,
        is_available=available,
        out_of_stock=out_of_stock,
    )
