"""Staff panel: the orders board with 200 open orders (target < 150 ms server time), and the
board's live-update poll against a cached menu GET (target: the poll costs less).

Server time is measured in process through Django's full middleware stack (test client, no
network), for: the board page, the poll when nothing changed (the common case: a 204), and,
as the same-run baseline, the public menu API GET answered from the cache.
"""

from __future__ import annotations

import os
import re
import time
from decimal import Decimal
from typing import Any

from tests.actors import TEST_ACTOR
from tests.benchmarks.harness import (
    BenchContext,
    prepare_bench_database,
    summarize_ms,
    target,
    time_calls,
)

SLUG = "benchpanel"
OPEN_ORDERS = 200
OWNER_EMAIL = "owner@benchpanel.example"


def _restaurant() -> Any:
    from tenants.selectors import restaurant_get
    from tenants.services import restaurant_onboard

    restaurant = restaurant_get(slug=SLUG)
    if restaurant is None:
        restaurant = restaurant_onboard(
            slug=SLUG,
            name="Bench Panel",
            owner_email=OWNER_EMAIL,
            owner_password="bench-pass-123",
        ).restaurant
    return restaurant


def _seed_open_orders(count: int) -> None:
    """`count` open orders of two or three lines each, spread over the board's columns."""
    from datetime import time

    from tenant_apps.menu.services import category_create, menu_item_create
    from tenant_apps.orders.models import Order
    from tenant_apps.orders.services import OrderLineInput, order_create, order_transition
    from tenant_apps.restaurant.selectors import Shift
    from tenant_apps.restaurant.services import opening_hours_replace

    Order.objects.all().delete()
    opening_hours_replace(
        actor=TEST_ACTOR,
        shifts=[Shift(weekday=day, opens=time(0, 0), closes=time(23, 59)) for day in range(7)],
    )
    category = category_create(actor=TEST_ACTOR, name={"es": "Tacos", "en": "Tacos"})
    items = [
        menu_item_create(
            actor=TEST_ACTOR, category=category, name={"es": f"Taco {n}"}, price=Decimal("3.50")
        )
        for n in range(3)
    ]
    steps = ["pending", "confirmed", "preparing", "ready"]
    for n in range(count):
        order = order_create(
            actor=TEST_ACTOR,
            customer=None,
            channel="web",
            order_type="pickup",
            lines=[
                OrderLineInput(item_id=item.pk, quantity=1 + n % 3) for item in items[: 2 + n % 2]
            ],
        )
        for status in steps[1 : 1 + n % 4]:
            order = order_transition(actor=TEST_ACTOR, order=order, to_status=status)


def run(ctx: BenchContext) -> dict[str, object]:
    from django.test import Client
    from django_tenants.utils import schema_context

    import core.sessions  # noqa: F401  (its login-time receiver, before force_login)
    from core.db import use_public_schema
    from shared_apps.accounts.models import User

    prepare_bench_database()
    restaurant = _restaurant()
    host = restaurant.domains.get(is_primary=True).domain
    with schema_context(restaurant.schema_name):
        _seed_open_orders(OPEN_ORDERS)
        owner = User.objects.get(email=OWNER_EMAIL)
        client = Client(HTTP_HOST=host)
        client.force_login(owner)
    use_public_schema()
    repeat = ctx.size(60, 10)

    page = client.get("/panel/orders/")
    assert page.status_code == 200, page.status_code
    assert page.content.count(b'class="card"') == OPEN_ORDERS
    poll = re.search(rb'hx-get="(/panel/orders/board/\?v=[^"]+)"', page.content)
    assert poll is not None
    poll_path = poll.group(1).decode().replace("&amp;", "&")
    assert client.get(poll_path).status_code == 204
    menu = Client(HTTP_HOST=host)
    assert menu.get("/api/v1/menu/", REMOTE_ADDR="10.255.0.1").status_code == 200

    cpu_started = time.process_time()
    board_ms = summarize_ms(time_calls(lambda: client.get("/panel/orders/"), repeat))
    # The web process's own CPU per board (PostgreSQL's share excluded): a figure that a
    # busy machine (other processes on the two cores) does not inflate as it does wall time.
    board_ms["web_cpu_mean_ms"] = round((time.process_time() - cpu_started) / repeat * 1000, 2)
    poll_ms = summarize_ms(time_calls(lambda: client.get(poll_path), repeat * 10))
    # Each menu GET from its own address, so the anonymous rate limit never answers instead.
    addresses = (f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}" for n in range(1, 10**6))
    menu_ms = summarize_ms(
        time_calls(lambda: menu.get("/api/v1/menu/", REMOTE_ADDR=next(addresses)), repeat * 10)
    )
    return {
        "open_orders": OPEN_ORDERS,
        "load_average_1min": round(os.getloadavg()[0], 1),
        "board_page": board_ms,
        "poll_unchanged": poll_ms,
        "baseline_cached_menu_get": menu_ms,
        "targets": {
            "board p95 with 200 open orders": target(board_ms["p95_ms"], 150, unit="ms"),
            "poll p50 / cached menu GET p50": target(
                poll_ms["p50_ms"] / menu_ms["p50_ms"], 1.0, unit="x"
            ),
        },
    }
