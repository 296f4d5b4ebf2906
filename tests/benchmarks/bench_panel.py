"""Staff panel through gunicorn: the orders board with 200 open orders (target < 150 ms
server time), and the board's live-update poll against a cached menu GET (target: the poll
costs less).

Both sides are measured the same way: the real WSGI stack (gunicorn with the benchmark
settings, one sync worker so that its CPU is the request's), one http.client connection (as
the api benchmark's load generator; the sync worker closes it after each answer, so every
request includes its TCP connect), the same number of requests, sent one at a time. Figures:
latency seen by the client on loopback (an upper bound of server time), and the worker's CPU
per request read from /proc/<pid>/task/*/schedstat (nanoseconds), which other processes on the
two shared cores do not inflate as they do wall time. The poll and the menu GET run in
alternating blocks so that a change in the machine's load hits both.

The poll is the request a board page sends every 3 s when nothing changed: the URL it was
given (version + signed poll token), the session cookie, `HX-Request: true`; its answer is a
204. The baseline is the public menu API GET answered from the cache (the api benchmark's
cached read), from a client without a session.
"""

from __future__ import annotations

import os
import re
import time
from decimal import Decimal
from http.client import HTTPConnection
from pathlib import Path
from typing import Any

from tests.actors import TEST_ACTOR
from tests.benchmarks.bench_api import Gunicorn
from tests.benchmarks.harness import (
    BenchContext,
    bench_restaurant,
    prepare_bench_database,
    summarize_ms,
    target,
)

SLUG = "benchpanel"
OPEN_ORDERS = 200
OWNER_EMAIL = "owner@benchpanel.example"


def _restaurant() -> Any:
    return bench_restaurant(SLUG, name="Bench Panel", owner_email=OWNER_EMAIL)


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


class _Worker:
    """The CPU time of gunicorn's worker processes (the master's children), in seconds."""

    def __init__(self, master_pid: int) -> None:
        children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
        self.pids = [int(pid) for pid in children]
        assert self.pids, "gunicorn has no worker"

    def cpu_seconds(self) -> float:
        total = 0
        for pid in self.pids:
            for task in Path(f"/proc/{pid}/task").iterdir():
                total += int((task / "schedstat").read_text().split()[0])
        return total / 1e9


class _Client:
    """An HTTP/1.1 client connection to the server (reopened when the server closes it); each
    request sent and its answer read in full."""

    def __init__(self, port: int) -> None:
        self.conn = HTTPConnection("127.0.0.1", port, timeout=30)

    def get(self, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
        self.conn.request("GET", path, headers=headers)
        response = self.conn.getresponse()
        return response.status, response.read()

    def timed(self, path: str, headers: dict[str, str], repeat: int, status: int) -> list[float]:
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            code, _ = self.get(path, headers)
            samples.append(time.perf_counter() - started)
            assert code == status, (path, code)
        return samples

    def close(self) -> None:
        self.conn.close()


def _logged_in_cookie(host: str, schema_name: str) -> str:
    from django.conf import settings
    from django.test import Client
    from django_tenants.utils import schema_context

    import core.sessions  # noqa: F401  (its login-time receiver, before force_login)
    from shared_apps.accounts.models import User

    with schema_context(schema_name):
        client = Client(HTTP_HOST=host)
        client.force_login(User.objects.get(email=OWNER_EMAIL))
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _measure_board(
    client: _Client, worker: _Worker, path: str, headers: dict[str, str], repeat: int
) -> dict[str, float]:
    cpu_started = worker.cpu_seconds()
    board = summarize_ms(client.timed(path, headers, repeat, 200))
    board["worker_cpu_ms_per_request"] = round(
        (worker.cpu_seconds() - cpu_started) / repeat * 1000, 2
    )
    return board


def _measure_alternating(
    client: _Client,
    worker: _Worker,
    sides: dict[str, tuple[str, dict[str, str], int]],
    *,
    rounds: int,
    block: int,
) -> dict[str, dict[str, float]]:
    """Each side's latency and worker CPU per request, over `rounds` alternating blocks."""
    samples: dict[str, list[float]] = {name: [] for name in sides}
    cpu = dict.fromkeys(sides, 0.0)
    for _ in range(rounds):
        for name, (path, headers, status) in sides.items():
            cpu_started = worker.cpu_seconds()
            samples[name] += client.timed(path, headers, block, status)
            cpu[name] += worker.cpu_seconds() - cpu_started
    figures = {}
    for name in sides:
        figures[name] = summarize_ms(samples[name])
        figures[name]["worker_cpu_ms_per_request"] = round(cpu[name] / len(samples[name]) * 1000, 4)
    return figures


def run(ctx: BenchContext) -> dict[str, object]:
    from django.db import connections
    from django_tenants.utils import schema_context

    prepare_bench_database()
    restaurant = _restaurant()
    host = restaurant.domains.get(is_primary=True).domain
    with schema_context(restaurant.schema_name):
        _seed_open_orders(OPEN_ORDERS)
    cookie = _logged_in_cookie(host, restaurant.schema_name)
    connections.close_all()
    load_at_start = round(os.getloadavg()[0], 1)
    repeat = ctx.size(60, 15)
    rounds, block = ctx.size(20, 6), 100
    page_headers = {"Host": host, "Cookie": cookie}

    with Gunicorn(
        "config.wsgi:application", "config.settings.bench", {"WEB_CONCURRENCY": "1"}
    ) as app:
        client = _Client(app.port)
        status, page = client.get("/panel/orders/", page_headers)
        worker = _Worker(app.process.pid)  # forked by now: it has answered
        assert status == 200, status
        assert page.count(b'class="card"') == OPEN_ORDERS
        found = re.search(rb'hx-get="(/panel/orders/board/\?v=[^"]+)"', page)
        assert found is not None
        poll_path = found.group(1).decode().replace("&amp;", "&")
        poll_headers = {**page_headers, "HX-Request": "true"}
        menu_headers = {"Host": host}
        # Warm: the worker's first requests fill its caches (host, near cache, templates).
        client.timed("/panel/orders/", page_headers, 3, 200)
        client.timed(poll_path, poll_headers, 50, 204)
        client.timed("/api/v1/menu/", menu_headers, 50, 200)

        board = _measure_board(client, worker, "/panel/orders/", page_headers, repeat)
        # What every open board fetches after an order changes: the columns, by the full path.
        changed = _measure_board(client, worker, "/panel/orders/board/", poll_headers, repeat)
        sides = {
            "poll_unchanged": (poll_path, poll_headers, 204),
            "baseline_cached_menu_get": ("/api/v1/menu/", menu_headers, 200),
        }
        live = _measure_alternating(client, worker, sides, rounds=rounds, block=block)
        client.close()

    poll, menu = live["poll_unchanged"], live["baseline_cached_menu_get"]
    return {
        "open_orders": OPEN_ORDERS,
        "server": "gunicorn, 1 sync worker, bench settings; one client, a request at a time",
        # Other processes share the two cores: latency moves with the load, worker CPU less.
        "load_average_1min": {"start": load_at_start, "end": round(os.getloadavg()[0], 1)},
        "board_page": board,
        "poll_changed_columns": changed,
        "poll_unchanged": poll,
        "baseline_cached_menu_get": menu,
        "targets": {
            "board p95 with 200 open orders": target(board["p95_ms"], 150, unit="ms"),
            "poll / cached menu GET, worker CPU per request": target(
                poll["worker_cpu_ms_per_request"] / menu["worker_cpu_ms_per_request"],
                1.0,
                unit="x",
            ),
            "poll / cached menu GET, p50 latency": target(
                poll["p50_ms"] / menu["p50_ms"], 1.0, unit="x"
            ),
        },
    }
