"""Demo restaurant profiles: address, phone, hours and the assistant's persona, by cuisine."""

from __future__ import annotations

from datetime import time
from typing import Any

from core.actors import SEED_DEMO
from tenant_apps.restaurant.selectors import Shift
from tenant_apps.restaurant.services import opening_hours_replace, restaurant_profile_update
from tenants.models import Restaurant

EVERY_DAY = range(7)

PROFILES: dict[str, dict[str, Any]] = {
    "mexican": {
        "address": "Calle de Fuencarral 45, 28004 Madrid",
        "phone": "+34911234567",
        "email": "hola@taqueria-sol.demo",
        "assistant_name": "Lupita",
        "assistant_persona": "Cálida y cercana, tutea, recomienda los tacos al pastor.",
    },
    "spanish": {
        "address": "Calle del Arenal 12, 28013 Madrid",
        "phone": "+34917654321",
        "email": "reservas@casa-pepa.demo",
        "assistant_name": "Pepa",
        "assistant_persona": "Amable y tradicional, habla de usted y sugiere tapas para compartir.",
    },
    "burgers": {
        "address": "12 Camden High Street, London NW1 0JH",
        "phone": "+442079460000",
        "email": "hello@burger-bros.demo",
        "assistant_name": "Benny",
        "assistant_persona": "Upbeat and quick, loves recommending the jalapeño burger.",
    },
}

# Casa Pepa keeps Spanish split shifts; the others are open straight through.
HOURS: dict[str, list[tuple[time, time]]] = {
    "mexican": [(time(12, 0), time(23, 30))],
    "spanish": [(time(13, 0), time(16, 30)), (time(20, 0), time(23, 30))],
    "burgers": [(time(11, 30), time(23, 0))],
}


def restaurant_seed_demo(*, restaurant: Restaurant, demo: dict[str, Any]) -> None:
    cuisine = str(demo.get("cuisine", "mexican"))
    profile = dict(PROFILES.get(cuisine, PROFILES["mexican"]))
    name = profile["assistant_name"]
    profile["assistant_greeting"] = {
        "es": f"¡Hola! Soy {name}, de {restaurant.name}. Te enseño la carta, te tomo el pedido "
        "o te reservo mesa. ¿Qué te apetece?",
        "en": f"Hi! I'm {name} from {restaurant.name}. I can show you the menu, take your "
        "order or book you a table. What would you like?",
    }
    restaurant_profile_update(actor=SEED_DEMO, changes=profile)
    opening_hours_replace(
        actor=SEED_DEMO,
        shifts=[
            Shift(weekday=day, opens=opens, closes=closes)
            for day in EVERY_DAY
            for opens, closes in HOURS.get(cuisine, HOURS["mexican"])
        ],
    )
