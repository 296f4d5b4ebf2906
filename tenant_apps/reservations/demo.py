"""Demo tables. Casa Pepa books by table; the others by covers (their tables are listed for
seating only)."""

from __future__ import annotations

from typing import Any

from core.actors import SEED_DEMO
from tenant_apps.reservations.models import ReservationSettings, Table
from tenant_apps.reservations.services import reservation_settings_update, table_create
from tenants.models import Restaurant

TABLES: dict[str, list[tuple[str, int, str]]] = {
    "mexican": [
        *[(f"Mesa {n}", 2, "Sala") for n in range(1, 5)],
        *[(f"Mesa {n}", 4, "Sala") for n in range(5, 9)],
        ("Terraza 1", 4, "Terraza"),
        ("Terraza 2", 6, "Terraza"),
    ],
    "spanish": [
        *[(f"Mesa {n}", 2, "Comedor") for n in range(1, 5)],
        *[(f"Mesa {n}", 4, "Comedor") for n in range(5, 10)],
        ("Mesa 10", 6, "Comedor"),
        ("Reservado", 10, "Reservado"),
        ("Barra 1", 2, "Barra"),
        ("Barra 2", 2, "Barra"),
    ],
    "burgers": [
        *[(f"Booth {n}", 4, "Booths") for n in range(1, 7)],
        *[(f"Table {n}", 2, "Floor") for n in range(1, 7)],
        ("Big table", 8, "Floor"),
    ],
}


def reservations_seed_demo(*, restaurant: Restaurant, demo: dict[str, Any]) -> None:
    if Table.objects.exists():
        return
    cuisine = str(demo.get("cuisine", "mexican"))
    for position, (name, capacity, area) in enumerate(TABLES.get(cuisine, TABLES["mexican"])):
        table_create(actor=SEED_DEMO, name=name, capacity=capacity, area=area, position=position)
    if cuisine == "spanish":
        reservation_settings_update(
            actor=SEED_DEMO,
            changes={
                "capacity_mode": ReservationSettings.CapacityMode.TABLES,
                "max_party_size": 10,
            },
        )
