"""Demo menus (Spanish and English) for the three demo restaurants, by cuisine."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from core.actors import SEED_DEMO
from tenant_apps.menu.models import Category
from tenant_apps.menu.services import (
    OptionGroupInput,
    OptionInput,
    category_create,
    menu_item_create,
)
from tenants.models import Restaurant


@dataclass(frozen=True)
class DemoItem:
    es: str
    en: str
    price: str
    desc_es: str = ""
    desc_en: str = ""
    allergens: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    groups: tuple[OptionGroupInput, ...] = ()
    out_of_stock: bool = False


@dataclass(frozen=True)
class DemoCategory:
    es: str
    en: str
    items: Sequence[DemoItem] = field(default_factory=tuple)


def _opt(es: str, en: str, delta: str = "0", *, default: bool = False) -> OptionInput:
    return OptionInput(name={"es": es, "en": en}, price_delta=Decimal(delta), is_default=default)


def _group(
    es: str, en: str, *options: OptionInput, least: int = 0, most: int = 1
) -> OptionGroupInput:
    return OptionGroupInput(
        name={"es": es, "en": en}, options=options, min_selections=least, max_selections=most
    )


DRINK_SIZE = _group(
    "Tamaño",
    "Size",
    _opt("Normal (33 cl)", "Regular (33 cl)", default=True),
    _opt("Grande (50 cl)", "Large (50 cl)", "1.00"),
    least=1,
)
TACO_SIZE = _group(
    "Ración",
    "Portion",
    _opt("3 tacos", "3 tacos", default=True),
    _opt("5 tacos", "5 tacos", "3.50"),
    least=1,
)
MEXICAN_EXTRAS = _group(
    "Extras",
    "Extras",
    _opt("Queso", "Cheese", "1.00"),
    _opt("Guacamole", "Guacamole", "1.50"),
    _opt("Jalapeños", "Jalapeños", "0.50"),
    most=3,
)
WING_SAUCE = _group(
    "Salsa",
    "Sauce",
    _opt("Chipotle", "Chipotle", default=True),
    _opt("Habanero (muy picante)", "Habanero (very hot)"),
    _opt("Barbacoa", "BBQ"),
    least=1,
)
BURRITO_SIZE = _group(
    "Tamaño",
    "Size",
    _opt("Normal", "Regular", default=True),
    _opt("Grande", "Large", "2.00"),
    least=1,
)
DONENESS = _group(
    "Punto de la carne",
    "Doneness",
    _opt("Poco hecha", "Rare"),
    _opt("Al punto", "Medium", default=True),
    _opt("Hecha", "Well done"),
    least=1,
)
BURGER_EXTRAS = _group(
    "Extras",
    "Extras",
    _opt("Beicon", "Bacon", "1.50"),
    _opt("Queso cheddar", "Cheddar cheese", "1.00"),
    _opt("Jalapeños", "Jalapeños", "0.50"),
    _opt("Huevo frito", "Fried egg", "1.00"),
    most=4,
)
BURGER_SIDE = _group(
    "Guarnición",
    "Side",
    _opt("Patatas fritas", "Fries", default=True),
    _opt("Boniato frito", "Sweet potato fries", "1.00"),
    _opt("Ensalada", "Side salad"),
    least=1,
)
HALF_OR_FULL = _group(
    "Ración",
    "Portion",
    _opt("Media ración", "Half portion", default=True),
    _opt("Ración entera", "Full portion", "4.00"),
    least=1,
)
WING_COUNT = _group(
    "Cantidad",
    "How many",
    _opt("6 alitas", "6 wings", default=True),
    _opt("12 alitas", "12 wings", "5.00"),
    least=1,
)
BURGER_WING_SAUCE = _group(
    "Salsa",
    "Sauce",
    _opt("Barbacoa", "BBQ", default=True),
    _opt("Búfalo picante", "Hot buffalo"),
    _opt("Miel y mostaza", "Honey mustard"),
    least=1,
)
SHAKE_FLAVOUR = _group(
    "Sabor",
    "Flavour",
    _opt("Vainilla", "Vanilla", default=True),
    _opt("Chocolate", "Chocolate"),
    _opt("Fresa", "Strawberry"),
    least=1,
)
SANGRIA_SIZE = _group(
    "Tamaño",
    "Size",
    _opt("Copa", "Glass", default=True),
    _opt("Jarra (1 l)", "Jug (1 l)", "10.00"),
    least=1,
)

COCA_COLA = DemoItem(
    "Coca-Cola",
    "Coca-Cola",
    "2.80",
    "Refresco de cola, bien fría.",
    "Ice-cold cola.",
    groups=(DRINK_SIZE,),
)

MEXICAN: tuple[DemoCategory, ...] = (
    DemoCategory(
        "Tacos",
        "Tacos",
        (
            DemoItem(
                "Tacos al pastor",
                "Al pastor tacos",
                "9.50",
                "Cerdo adobado al trompo con piña, cebolla y cilantro en tortilla de maíz.",
                "Spit-roasted marinated pork with pineapple, onion and coriander on corn "
                "tortillas.",
                tags=("gluten_free",),
                groups=(TACO_SIZE, MEXICAN_EXTRAS),
            ),
            DemoItem(
                "Tacos de carnitas",
                "Carnitas tacos",
                "9.00",
                "Cerdo confitado con salsa verde.",
                "Slow-cooked pork with green salsa.",
                tags=("gluten_free",),
                groups=(TACO_SIZE, MEXICAN_EXTRAS),
            ),
            DemoItem(
                "Tacos de pollo",
                "Chicken tacos",
                "8.50",
                "Pollo a la plancha con pico de gallo.",
                "Grilled chicken with pico de gallo.",
                tags=("gluten_free",),
                groups=(TACO_SIZE, MEXICAN_EXTRAS),
            ),
            DemoItem(
                "Tacos de pescado",
                "Fish tacos",
                "10.50",
                "Pescado rebozado, col y mayonesa de chipotle.",
                "Battered fish, cabbage and chipotle mayo.",
                allergens=("fish", "gluten", "eggs"),
                groups=(TACO_SIZE,),
            ),
            DemoItem(
                "Tacos de nopal",
                "Cactus tacos",
                "8.00",
                "Nopal asado con frijoles.",
                "Grilled cactus with beans.",
                tags=("vegan", "gluten_free"),
                groups=(TACO_SIZE, MEXICAN_EXTRAS),
            ),
        ),
    ),
    DemoCategory(
        "Entrantes",
        "Starters",
        (
            DemoItem(
                "Nachos con jalapeño",
                "Jalapeño nachos",
                "7.50",
                "Totopos con queso fundido, frijoles y jalapeños.",
                "Tortilla chips with melted cheese, beans and jalapeños.",
                allergens=("milk",),
                tags=("vegetarian", "spicy"),
            ),
            DemoItem(
                "Guacamole con totopos",
                "Guacamole with tortilla chips",
                "6.90",
                "Aguacate machacado al momento.",
                "Freshly mashed avocado.",
                tags=("vegan", "gluten_free"),
            ),
            DemoItem(
                "Quesadilla de queso",
                "Cheese quesadilla",
                "6.50",
                "Tortilla de trigo con queso Oaxaca.",
                "Flour tortilla with Oaxaca cheese.",
                allergens=("gluten", "milk"),
                tags=("vegetarian",),
            ),
            DemoItem(
                "Alitas picantes",
                "Spicy chicken wings",
                "8.90",
                "Ocho alitas de pollo con la salsa que elijas.",
                "Eight chicken wings in the sauce of your choice.",
                allergens=("celery", "mustard"),
                tags=("spicy",),
                groups=(WING_SAUCE,),
            ),
            DemoItem(
                "Elote asado",
                "Grilled corn on the cob",
                "4.50",
                "Mazorca con mayonesa, queso y chile.",
                "Corn with mayo, cheese and chilli.",
                allergens=("milk", "eggs"),
                tags=("vegetarian",),
            ),
        ),
    ),
    DemoCategory(
        "Burritos y hamburguesas",
        "Burritos and burgers",
        (
            DemoItem(
                "Burrito de carne asada",
                "Grilled beef burrito",
                "11.50",
                "Ternera, arroz, frijoles, queso y pico de gallo.",
                "Beef, rice, beans, cheese and pico de gallo.",
                allergens=("gluten", "milk"),
                groups=(BURRITO_SIZE, MEXICAN_EXTRAS),
            ),
            DemoItem(
                "Burrito vegetariano",
                "Veggie burrito",
                "10.00",
                "Verduras asadas, arroz y frijoles.",
                "Roasted vegetables, rice and beans.",
                allergens=("gluten",),
                tags=("vegetarian",),
                groups=(BURRITO_SIZE,),
            ),
            DemoItem(
                "Hamburguesa ranchera",
                "Ranchera burger",
                "12.50",
                "Ternera, queso, guacamole y jalapeños en pan brioche.",
                "Beef, cheese, guacamole and jalapeños in a brioche bun.",
                allergens=("gluten", "milk", "eggs", "sesame"),
                tags=("spicy",),
                groups=(DONENESS, BURGER_EXTRAS),
            ),
        ),
    ),
    DemoCategory(
        "Bebidas",
        "Drinks",
        (
            COCA_COLA,
            DemoItem(
                "Agua de horchata",
                "Horchata",
                "3.50",
                "Bebida de arroz con canela.",
                "Rice and cinnamon drink.",
                allergens=("milk",),
                tags=("vegetarian",),
            ),
            DemoItem("Cerveza Corona", "Corona beer", "3.90", allergens=("gluten",)),
            DemoItem(
                "Margarita",
                "Margarita",
                "7.50",
                "Tequila, triple seco y lima.",
                "Tequila, triple sec and lime.",
                allergens=("sulphites",),
            ),
            DemoItem("Agua mineral", "Still water", "2.00", tags=("vegan",)),
        ),
    ),
    DemoCategory(
        "Postres",
        "Desserts",
        (
            DemoItem(
                "Churros con chocolate",
                "Churros with chocolate",
                "5.50",
                allergens=("gluten", "eggs", "milk"),
                tags=("vegetarian",),
            ),
            DemoItem(
                "Flan de cajeta",
                "Caramel flan",
                "4.50",
                allergens=("eggs", "milk"),
                tags=("vegetarian", "gluten_free"),
            ),
        ),
    ),
)

SPANISH: tuple[DemoCategory, ...] = (
    DemoCategory(
        "Tapas",
        "Tapas",
        (
            DemoItem(
                "Patatas bravas",
                "Patatas bravas",
                "5.50",
                "Patatas fritas con salsa brava y alioli.",
                "Fried potatoes with spicy tomato sauce and aioli.",
                allergens=("eggs",),
                tags=("vegetarian", "spicy", "gluten_free"),
            ),
            DemoItem(
                "Croquetas de jamón",
                "Ham croquettes",
                "7.00",
                "Croquetas caseras de jamón ibérico.",
                "Home-made Iberian ham croquettes.",
                allergens=("gluten", "milk", "eggs"),
                groups=(HALF_OR_FULL,),
            ),
            DemoItem(
                "Tortilla española",
                "Spanish omelette",
                "6.50",
                "Tortilla de patata y cebolla, jugosa.",
                "Potato and onion omelette.",
                allergens=("eggs",),
                tags=("vegetarian", "gluten_free"),
            ),
            DemoItem(
                "Pimientos de Padrón",
                "Padrón peppers",
                "6.00",
                "Unos pican y otros no.",
                "Some are hot, some are not.",
                tags=("vegan", "gluten_free"),
            ),
            DemoItem(
                "Gambas al ajillo",
                "Garlic prawns",
                "12.50",
                "Gambas en aceite con ajo y guindilla.",
                "Prawns in olive oil with garlic and chilli.",
                allergens=("crustaceans",),
                tags=("gluten_free", "spicy"),
            ),
            DemoItem(
                "Jamón ibérico de bellota",
                "Acorn-fed Iberian ham",
                "18.00",
                "Cortado a cuchillo.",
                "Hand-carved.",
                tags=("gluten_free", "lactose_free"),
            ),
        ),
    ),
    DemoCategory(
        "Platos principales",
        "Main courses",
        (
            DemoItem(
                "Paella de marisco",
                "Seafood paella",
                "16.50",
                "Arroz con gambas, mejillones y calamar (precio por persona, mínimo dos).",
                "Rice with prawns, mussels and squid (price per person, for two or more).",
                allergens=("crustaceans", "molluscs", "fish"),
                tags=("gluten_free",),
            ),
            DemoItem(
                "Paella valenciana",
                "Valencian paella",
                "15.00",
                "Arroz con pollo, conejo y judías verdes.",
                "Rice with chicken, rabbit and green beans.",
                tags=("gluten_free",),
            ),
            DemoItem(
                "Pulpo a la gallega",
                "Galician-style octopus",
                "17.50",
                "Pulpo con patata, pimentón y aceite de oliva.",
                "Octopus with potato, paprika and olive oil.",
                allergens=("molluscs",),
                tags=("gluten_free",),
            ),
            DemoItem(
                "Secreto ibérico",
                "Iberian pork secreto",
                "16.00",
                "A la brasa con patatas panaderas.",
                "Chargrilled, with baked potatoes.",
                tags=("gluten_free",),
            ),
            DemoItem(
                "Hamburguesa de buey",
                "Beef burger",
                "13.50",
                "Buey gallego, queso tetilla y cebolla caramelizada.",
                "Galician beef, tetilla cheese and caramelised onion.",
                allergens=("gluten", "milk", "eggs", "sesame", "mustard"),
                groups=(DONENESS, BURGER_SIDE),
            ),
        ),
    ),
    DemoCategory(
        "Postres",
        "Desserts",
        (
            DemoItem(
                "Crema catalana",
                "Crema catalana",
                "5.00",
                allergens=("milk", "eggs"),
                tags=("vegetarian", "gluten_free"),
            ),
            DemoItem(
                "Tarta de queso",
                "Cheesecake",
                "5.50",
                "Tarta de queso al horno.",
                "Baked cheesecake.",
                allergens=("milk", "eggs", "gluten"),
                tags=("vegetarian",),
            ),
        ),
    ),
    DemoCategory(
        "Bebidas",
        "Drinks",
        (
            DemoItem(
                "Sangría",
                "Sangria",
                "4.50",
                allergens=("sulphites",),
                tags=("vegan",),
                groups=(SANGRIA_SIZE,),
            ),
            DemoItem("Caña de cerveza", "Draught beer", "2.50", allergens=("gluten",)),
            DemoItem(
                "Vino tinto Rioja (copa)",
                "Rioja red wine (glass)",
                "3.80",
                allergens=("sulphites",),
            ),
            COCA_COLA,
            DemoItem("Agua mineral", "Still water", "2.00", tags=("vegan",)),
        ),
    ),
)

BURGERS: tuple[DemoCategory, ...] = (
    DemoCategory(
        "Hamburguesas",
        "Burgers",
        (
            DemoItem(
                "Hamburguesa clásica",
                "Classic burger",
                "10.50",
                "Ternera, lechuga, tomate, cebolla y salsa de la casa.",
                "Beef patty, lettuce, tomato, onion and house sauce.",
                allergens=("gluten", "eggs", "sesame", "mustard"),
                groups=(DONENESS, BURGER_EXTRAS, BURGER_SIDE),
            ),
            DemoItem(
                "Hamburguesa con queso",
                "Cheeseburger",
                "11.50",
                "Doble cheddar fundido.",
                "Double melted cheddar.",
                allergens=("gluten", "milk", "eggs", "sesame", "mustard"),
                groups=(DONENESS, BURGER_EXTRAS, BURGER_SIDE),
            ),
            DemoItem(
                "Hamburguesa barbacoa con beicon",
                "Bacon BBQ burger",
                "12.50",
                "Beicon crujiente, aros de cebolla y salsa barbacoa.",
                "Crispy bacon, onion rings and BBQ sauce.",
                allergens=("gluten", "milk", "eggs", "sesame", "mustard", "celery"),
                groups=(DONENESS, BURGER_EXTRAS, BURGER_SIDE),
            ),
            DemoItem(
                "Hamburguesa jalapeño",
                "Jalapeño burger",
                "12.00",
                "Jalapeños, pepper jack y mayonesa picante.",
                "Jalapeños, pepper jack and hot mayo.",
                allergens=("gluten", "milk", "eggs", "sesame"),
                tags=("spicy",),
                groups=(DONENESS, BURGER_EXTRAS, BURGER_SIDE),
            ),
            DemoItem(
                "Hamburguesa vegetal",
                "Veggie burger",
                "11.00",
                "Hamburguesa de garbanzos y remolacha.",
                "Chickpea and beetroot patty.",
                allergens=("gluten", "sesame"),
                tags=("vegetarian",),
                groups=(BURGER_EXTRAS, BURGER_SIDE),
            ),
        ),
    ),
    DemoCategory(
        "Para picar",
        "Sides",
        (
            DemoItem("Patatas fritas", "Fries", "3.50", tags=("vegan",)),
            DemoItem(
                "Aros de cebolla",
                "Onion rings",
                "4.00",
                allergens=("gluten", "milk"),
                tags=("vegetarian",),
            ),
            DemoItem(
                "Alitas de pollo",
                "Chicken wings",
                "7.50",
                "Alitas crujientes con salsa.",
                "Crispy wings with your sauce.",
                allergens=("celery", "mustard"),
                groups=(WING_COUNT, BURGER_WING_SAUCE),
            ),
            DemoItem(
                "Nachos con jalapeños",
                "Loaded nachos with jalapeños",
                "6.50",
                allergens=("milk",),
                tags=("vegetarian", "spicy"),
            ),
        ),
    ),
    DemoCategory(
        "Bebidas",
        "Drinks",
        (
            COCA_COLA,
            DemoItem(
                "Batido",
                "Milkshake",
                "4.80",
                allergens=("milk",),
                tags=("vegetarian",),
                groups=(SHAKE_FLAVOUR,),
            ),
            DemoItem("Cerveza IPA artesana", "Craft IPA", "5.20", allergens=("gluten",)),
            DemoItem("Limonada casera", "Home-made lemonade", "3.00", tags=("vegan",)),
        ),
    ),
    DemoCategory(
        "Postres",
        "Desserts",
        (
            DemoItem(
                "Brownie con helado",
                "Brownie with ice cream",
                "5.50",
                allergens=("gluten", "eggs", "milk", "nuts"),
                tags=("vegetarian",),
            ),
            DemoItem(
                "Tarta de queso de Nueva York",
                "New York cheesecake",
                "5.50",
                allergens=("gluten", "eggs", "milk"),
                tags=("vegetarian",),
            ),
        ),
    ),
)

MENUS: dict[str, tuple[DemoCategory, ...]] = {
    "mexican": MEXICAN,
    "spanish": SPANISH,
    "burgers": BURGERS,
}


def menu_seed_demo(*, restaurant: Restaurant, demo: dict[str, Any]) -> None:
    """Demo seeder: the cuisine's bilingual menu (skipped when the menu is not empty)."""
    if Category.objects.exists():
        return
    for category_data in MENUS.get(str(demo.get("cuisine")), MEXICAN):
        category = category_create(
            actor=SEED_DEMO, name={"es": category_data.es, "en": category_data.en}
        )
        for item in category_data.items:
            menu_item_create(
                actor=SEED_DEMO,
                category=category,
                name={"es": item.es, "en": item.en},
                description={"es": item.desc_es, "en": item.desc_en},
                price=Decimal(item.price),
                allergens=item.allergens,
                dietary_tags=item.tags,
                option_groups=item.groups,
                out_of_stock=item.out_of_stock,
            )
