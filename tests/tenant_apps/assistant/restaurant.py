"""A small test restaurant for dialogs: menu, address, a promotion, bookable covers.

Built through the domain services (the assistant reads it only through selectors).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from tenant_apps.menu.models import MenuItem
from tenant_apps.menu.services import (
    OptionGroupInput,
    OptionInput,
    category_create,
    menu_item_create,
)
from tenant_apps.promotions.services import promotion_create
from tenant_apps.restaurant.selectors import Shift
from tenant_apps.restaurant.services import opening_hours_replace, restaurant_profile_update
from tests.actors import TEST_ACTOR

ADDRESS = "Calle Mayor 1, Madrid"


def _item(category: object, es: str, en: str, price: str, **extra: object) -> MenuItem:
    return menu_item_create(
        actor=TEST_ACTOR,
        category=category,  # type: ignore[arg-type]
        name={"es": es, "en": en},
        price=Decimal(price),
        **extra,  # type: ignore[arg-type]
    )


def seed_dialog_restaurant() -> dict[str, MenuItem]:
    restaurant_profile_update(
        actor=TEST_ACTOR, changes={"address": ADDRESS, "phone": "+34910000000"}
    )
    # Open around the clock, so dialogs about "now" behave the same whenever the suite runs.
    opening_hours_replace(
        actor=TEST_ACTOR,
        shifts=[Shift(weekday=day, opens=time(0, 0), closes=time(23, 59)) for day in range(7)],
    )
    tacos = category_create(actor=TEST_ACTOR, name={"es": "Tacos", "en": "Tacos"})
    burgers = category_create(actor=TEST_ACTOR, name={"es": "Hamburguesas", "en": "Burgers"})
    starters = category_create(actor=TEST_ACTOR, name={"es": "Entrantes", "en": "Starters"})
    drinks = category_create(actor=TEST_ACTOR, name={"es": "Bebidas", "en": "Drinks"})
    size = OptionGroupInput(
        name={"es": "tamaño", "en": "size"},
        min_selections=1,
        max_selections=1,
        options=(
            OptionInput(name={"es": "mediana", "en": "medium"}),
            OptionInput(name={"es": "grande", "en": "large"}, price_delta=Decimal("1.00")),
        ),
    )
    extras = OptionGroupInput(
        name={"es": "extras", "en": "extras"},
        min_selections=0,
        max_selections=2,
        options=(
            OptionInput(
                name={"es": "queso extra", "en": "extra cheese"}, price_delta=Decimal("1.00")
            ),
            OptionInput(name={"es": "bacon", "en": "bacon"}, price_delta=Decimal("1.50")),
        ),
    )
    items = {
        "pastor": _item(
            tacos,
            "Tacos al pastor",
            "Al pastor tacos",
            "3.50",
            description={
                "es": "Cerdo adobado con piña y cilantro",
                "en": "Marinated pork with pineapple and coriander",
            },
        ),
        "pollo": _item(tacos, "Tacos de pollo", "Chicken tacos", "3.00"),
        "clasica": _item(
            burgers,
            "Hamburguesa clásica",
            "Classic burger",
            "9.00",
            allergens=["gluten", "milk", "eggs"],
            option_groups=[extras],
        ),
        "veggie": _item(
            burgers,
            "Hamburguesa vegetariana",
            "Veggie burger",
            "9.50",
            allergens=["gluten"],
            dietary_tags=["vegetarian"],
        ),
        "jalapenos": _item(
            starters,
            "Jalapeños rellenos",
            "Jalapeño poppers",
            "5.50",
            allergens=["milk"],
            dietary_tags=["vegetarian", "spicy"],
        ),
        "alitas": _item(starters, "Alitas", "Wings", "1.00", dietary_tags=["spicy"]),
        "guacamole": _item(
            starters,
            "Guacamole",
            "Guacamole",
            "6.00",
            dietary_tags=["vegan", "vegetarian", "gluten_free"],
        ),
        "coca": _item(drinks, "Coca-Cola", "Coca-Cola", "2.50", option_groups=[size]),
        "agua": _item(drinks, "Agua", "Water", "1.50"),
        "cerveza": _item(drinks, "Cerveza", "Beer", "3.00", allergens=["gluten"]),
        "horchata": _item(drinks, "Horchata", "Horchata", "2.50", out_of_stock=True),
    }
    promotion_create(
        actor=TEST_ACTOR,
        name={"es": "Martes de tacos", "en": "Taco Tuesday"},
        kind="percent",
        value=Decimal("10"),
        code="TACOS10",
    )
    return items


def seed_demo_menu_restaurant(
    *, cuisine: str, restaurant: Any, real_hours: bool
) -> dict[str, MenuItem]:
    """One of `make run`'s demo restaurants (profile, menu, promotions, tables) in this schema.

    Items are keyed by their folded Spanish name ("coca cola", "tacos al pastor"). Unless
    `real_hours`, it is open around the clock like the dialog restaurant, so dialogs about
    "now" do not depend on when the suite runs.
    """
    from django.conf import settings
    from django.utils.module_loading import import_string

    from tenant_apps.assistant.nlu.normalize import fold

    demo = {"slug": restaurant.schema_name, "name": restaurant.name, "locale": "es"}
    for path in settings.DYSA_DEMO_SEEDERS:
        import_string(path)(restaurant=restaurant, demo={**demo, "cuisine": cuisine})
    if not real_hours:
        opening_hours_replace(
            actor=TEST_ACTOR,
            shifts=[Shift(weekday=day, opens=time(0, 0), closes=time(23, 59)) for day in range(7)],
        )
    return {fold(item.name["es"]): item for item in MenuItem.objects.all()}


def fill_covers_at(starts_at: datetime) -> None:
    """Book every cover at `starts_at` so that time is full."""
    from tenant_apps.customers.services import customer_get_or_create_by_phone
    from tenant_apps.reservations.selectors import reservation_settings_get
    from tenant_apps.reservations.services import SlotUnavailable, reservation_create

    customer = customer_get_or_create_by_phone(phone="+34699000111", name="Grupo grande")
    settings = reservation_settings_get()
    # Largest parties first, then smaller ones into what is left (covers or tables).
    for party in range(settings.max_party_size, settings.min_party_size - 1, -1):
        while True:
            try:
                reservation_create(
                    actor=TEST_ACTOR,
                    customer=customer,
                    starts_at=starts_at,
                    party_size=party,
                    channel="staff",
                )
            except SlotUnavailable:
                break


def tomorrow_at(hour: int, minute: int = 0, *, tz: object) -> datetime:
    now = timezone.now().astimezone(tz)  # type: ignore[arg-type]
    day = (now + timedelta(days=1)).date()
    return datetime.combine(day, datetime.min.time().replace(hour=hour, minute=minute), tzinfo=tz)  # type: ignore[arg-type]
