"""Demo promotions: a welcome code, a scoped code and an automatic discount per cuisine."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from core.actors import SEED_DEMO
from tenant_apps.menu.models import Category
from tenant_apps.promotions.models import Promotion
from tenant_apps.promotions.services import promotion_create
from tenants.models import Restaurant


def _category_ids(*names_es: str) -> list[int]:
    return [
        category.pk for category in Category.objects.all() if category.name.get("es") in names_es
    ]


def promotions_seed_demo(*, restaurant: Restaurant, demo: dict[str, Any]) -> None:
    """Demo seeder (after the menu's): skipped when promotions exist."""
    if Promotion.objects.exists():
        return
    cuisine = str(demo.get("cuisine", "mexican"))
    welcome = "WELCOME10" if cuisine == "burgers" else "BIENVENIDA"
    promotion_create(
        actor=SEED_DEMO,
        name={"es": "10 % de bienvenida", "en": "10% welcome discount"},
        description={
            "es": "Tu primer pedido con un 10 % de descuento.",
            "en": "10% off your first order.",
        },
        kind=Promotion.Kind.PERCENT,
        value=Decimal("10"),
        code=welcome,
        max_redemptions_per_customer=1,
    )
    if cuisine == "mexican":
        promotion_create(
            actor=SEED_DEMO,
            name={"es": "Martes de tacos: 20 % en tacos", "en": "Taco Tuesday: 20% off tacos"},
            description={
                "es": "Con el código TACOTUESDAY, 20 % en todos los tacos.",
                "en": "Use TACOTUESDAY for 20% off every taco.",
            },
            kind=Promotion.Kind.PERCENT,
            value=Decimal("20"),
            code="TACOTUESDAY",
            category_ids=_category_ids("Tacos"),
        )
    elif cuisine == "spanish":
        promotion_create(
            actor=SEED_DEMO,
            name={"es": "Tapeo: 15 % en tapas", "en": "Tapas time: 15% off tapas"},
            description={"es": "Con el código TAPEO.", "en": "With the code TAPEO."},
            kind=Promotion.Kind.PERCENT,
            value=Decimal("15"),
            code="TAPEO",
            category_ids=_category_ids("Tapas"),
        )
    else:
        promotion_create(
            actor=SEED_DEMO,
            name={"es": "Menú para dos", "en": "Burger date"},
            description={
                "es": "5 € menos en hamburguesas con BURGERDATE (mínimo 20).",
                "en": "5 off burgers with BURGERDATE (orders of 20 or more).",
            },
            kind=Promotion.Kind.FIXED,
            value=Decimal("5"),
            code="BURGERDATE",
            min_order_total=Decimal("20"),
            category_ids=_category_ids("Hamburguesas"),
        )
    threshold, amount = ("25", "2") if cuisine == "burgers" else ("40", "3")
    promotion_create(
        actor=SEED_DEMO,
        name={
            "es": f"{amount} de descuento en pedidos de más de {threshold}",
            "en": f"{amount} off orders over {threshold}",
        },
        description={"es": "Se aplica solo, sin código.", "en": "Applied automatically."},
        kind=Promotion.Kind.FIXED,
        value=Decimal(amount),
        min_order_total=Decimal(threshold),
    )
