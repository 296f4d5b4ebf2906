"""Restaurant API through gunicorn: cached and uncached menu GET and order creation at 10 and
N (default 1,000) tenants, next to a bare Django view under the same gunicorn configuration.

For each scenario: saturation throughput (closed loop, 20 connections), then p50/p99 at 70 %
of that rate (open loop). Requests spread round-robin over the tenants' hosts. Also counts
`SET search_path` statements per request (in process, same settings). Targets (DESIGN.md):
cached menu GET >= 60 % of the bare view's throughput, p99 < 50 ms at 70 % of saturation, at
most one `SET search_path` per request.

The load generator is Python (http.client, keep-alive) on the same two cores as the server,
so absolute figures are lower than with wrk; the ratios are what the targets are about.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.client import HTTPConnection
from typing import Any

from tests.benchmarks.harness import (
    BENCH_DIR,
    ROOT,
    BenchContext,
    percentile,
    prepare_bench_database,
    target,
)

SLUG_PREFIX = "benchapi"
CONNECTIONS = 20
CLIENT_PROCESSES = 2
WORKERS = 5
WARM_UP_SECONDS = 120


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    host: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None


# --- load generation ---------------------------------------------------------------------------


def _client_thread(
    *,
    port: int,
    requests: list[Request],
    offset: int,
    stop_at: float,
    interval: float | None,
    out: list[Any],
) -> None:
    conn = HTTPConnection("127.0.0.1", port, timeout=30)
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    index = offset
    next_send = time.perf_counter()
    while True:
        if interval is not None:
            next_send += interval
            delay = next_send - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
        started = time.perf_counter()
        if started >= stop_at:
            break
        request = requests[index % len(requests)]
        index += 1
        headers = {"Host": request.host, **dict(request.headers)}
        try:
            conn.request(request.method, request.path, body=request.body, headers=headers)
            response = conn.getresponse()
            response.read()
            statuses[response.status] += 1
        except (OSError, ConnectionError):
            statuses[-1] += 1
            conn.close()
            conn = HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        latencies.append(time.perf_counter() - started)
    conn.close()
    out.append((latencies, statuses))


def _client_process(
    *,
    port: int,
    requests: list[Request],
    threads: int,
    first_offset: int,
    duration: float,
    interval: float | None,
    queue: Any,
) -> None:
    stop_at = time.perf_counter() + duration
    out: list[Any] = []
    workers = [
        threading.Thread(
            target=_client_thread,
            kwargs={
                "port": port,
                "requests": requests,
                "offset": first_offset + n * 7919,
                "stop_at": stop_at,
                "interval": interval,
                "out": out,
            },
        )
        for n in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    latencies = [lat for lats, _ in out for lat in lats]
    statuses: Counter[int] = Counter()
    for _, counts in out:
        statuses.update(counts)
    queue.put((latencies, dict(statuses)))


def load(
    port: int, requests: list[Request], *, duration: float, rate: float | None = None
) -> dict[str, Any]:
    """Drive the server for `duration` seconds: closed loop, or open loop at `rate` req/s."""
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    per_process = CONNECTIONS // CLIENT_PROCESSES
    interval = None if rate is None else CONNECTIONS / rate
    processes = [
        ctx.Process(
            target=_client_process,
            kwargs={
                "port": port,
                "requests": requests,
                "threads": per_process,
                "first_offset": n * per_process * 104729,
                "duration": duration,
                "interval": interval,
                "queue": queue,
            },
        )
        for n in range(CLIENT_PROCESSES)
    ]
    started = time.perf_counter()
    for process in processes:
        process.start()
    results = [queue.get(timeout=duration + 120) for _ in processes]
    for process in processes:
        process.join()
    elapsed = time.perf_counter() - started
    latencies = [lat * 1000 for lats, _ in results for lat in lats]
    statuses: Counter[int] = Counter()
    for _, counts in results:
        statuses.update(counts)
    ok = sum(count for code, count in statuses.items() if 200 <= code < 300)
    return {
        "requests": len(latencies),
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 50), 2),
        "p99_ms": round(percentile(latencies, 99), 2),
        "ok_ratio": round(ok / max(1, sum(statuses.values())), 4),
        "statuses": {str(code): count for code, count in sorted(statuses.items())},
    }


def warm_up(port: int, requests: list[Request], *, seconds: float, per_pair: int) -> None:
    """Until the caches are warm and throughput has settled: cold caches are not what is
    measured. Requests land on workers at random, so a worker has seen a given host (its host
    cache, its near-cache copy) with probability 1 - (1 - 1/WORKERS)^k after k requests to that
    host; `per_pair` = 5 (k = 25) leaves under 0.5 % of (worker, host) pairs cold. Then rounds
    continue until two consecutive rounds agree within 5 % (or WARM_UP_SECONDS have passed:
    slow scenarios, where a cold host lookup is a small part of a request)."""
    needed = len(requests) * WORKERS * per_pair
    sent = 0
    previous = 0.0
    deadline = time.monotonic() + WARM_UP_SECONDS
    while time.monotonic() < deadline:
        result = load(port, requests, duration=seconds)
        sent += result["requests"]
        settled = previous > 0 and abs(result["rps"] - previous) <= 0.05 * previous
        if sent >= needed and settled and result["p50_ms"] < 100:
            return
        previous = result["rps"]


def measure(
    port: int, requests: list[Request], *, duration: float, per_pair: int = 1
) -> dict[str, Any]:
    warm_up(port, requests, seconds=min(3.0, duration), per_pair=per_pair)
    saturation = load(port, requests, duration=duration)
    at_70 = load(port, requests, duration=duration, rate=saturation["rps"] * 0.7)
    return {"saturation": saturation, "at_70_percent": at_70}


# --- servers ------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Gunicorn:
    def __init__(
        self, app: str, settings_module: str, extra_env: dict[str, str] | None = None
    ) -> None:
        self.port = _free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": settings_module,
            "DYSA_WEB_BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": str(WORKERS),
            "GUNICORN_MAX_REQUESTS": "0",
            "DYSA_RATE_LIMIT_DEFAULT": "100000000/min",
            "DYSA_LOG_LEVEL": "WARNING",
            "PYTHONPATH": os.pathsep.join([str(ROOT / "platform"), str(ROOT)]),
            **(extra_env or {}),
        }
        # A file, not a pipe: nobody reads a pipe during the run, and once its buffer is full
        # every worker that logs (a warning per 4xx) blocks on the write.
        BENCH_DIR.mkdir(exist_ok=True)
        module = app.partition(":")[0].replace(".", "-")
        self.log = BENCH_DIR / f"gunicorn-{module}.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "-c",
                    str(ROOT / "infra" / "gunicorn.conf.py"),
                    app,
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=log,
                start_new_session=True,
            )
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                errors = self.log.read_text(errors="replace")
                raise RuntimeError(f"gunicorn exited: {errors[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def __enter__(self) -> Gunicorn:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# --- data ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BenchTenant:
    slug: str
    host: str
    schema_name: str
    token: str
    item_id: int


def _copy_menu(source_schema: str, target_schema: str) -> None:
    """Copy the seeded menu rows (generated search columns are recomputed by PostgreSQL)."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("menu_category", "menu_menuitem", "menu_optiongroup", "menu_option"):
            cursor.execute(
                "SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position) "
                "FROM information_schema.columns WHERE table_schema = %s AND table_name = %s "
                "AND is_generated = 'NEVER'",
                [source_schema, table],
            )
            row = cursor.fetchone()
            columns = row[0] if row else ""
            cursor.execute(
                f'INSERT INTO "{target_schema}".{table} ({columns}) '  # noqa: S608 - names from the catalogue
                f'SELECT {columns} FROM "{source_schema}".{table}'
            )


def ensure_tenants(count: int, progress: Any) -> list[BenchTenant]:
    """Restaurants benchapi-0000.. with the Mexican demo menu and an owner token each."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    from core.db import use_public_schema, use_tenant
    from shared_apps.accounts.models import User
    from tenant_apps.menu.models import MenuItem
    from tenants.auth import token_pair_issue
    from tenants.selectors import restaurant_get
    from tenants.services import restaurant_onboard

    tenants: list[BenchTenant] = []
    source_schema = ""
    for number in range(count):
        slug = f"{SLUG_PREFIX}-{number:04d}"
        restaurant = restaurant_get(slug=slug)
        if restaurant is None:
            restaurant = restaurant_onboard(
                slug=slug,
                name=f"Bench API {number}",
                owner_email=f"owner@{slug}.example",
                owner_password="bench-pass-123",
            ).restaurant
        use_tenant(restaurant)
        try:
            if not MenuItem.objects.exists():
                if source_schema:
                    _copy_menu(source_schema, restaurant.schema_name)
                else:
                    demo = {"slug": slug, "name": restaurant.name, "cuisine": "mexican"}
                    for dotted in settings.DYSA_DEMO_SEEDERS:
                        import_string(dotted)(restaurant=restaurant, demo=demo)
            item = MenuItem.objects.order_by("id").first()
            owner = User.objects.get(role="owner")
            token = token_pair_issue(user=owner).access
            assert item is not None
        finally:
            use_public_schema()
        source_schema = source_schema or restaurant.schema_name
        tenants.append(
            BenchTenant(
                slug=slug,
                host=f"{slug}.{settings.DYSA_BASE_DOMAIN}",
                schema_name=restaurant.schema_name,
                token=token,
                item_id=item.pk,
            )
        )
        if progress and (number + 1) % 100 == 0:
            progress(f"  {number + 1}/{count} tenants ready")
    return tenants


def tokens_reissued(tenants: list[BenchTenant], *, seconds: int) -> list[BenchTenant]:
    """The same restaurants with owner tokens valid for `seconds` from now, so a run longer
    than the access-token lifetime (15 min) is not measuring 401s."""
    from dataclasses import replace

    from django.test.utils import override_settings

    from core.db import use_public_schema, use_tenant
    from shared_apps.accounts.models import User
    from tenants.auth import token_pair_issue
    from tenants.models import Restaurant

    schemas = [tenant.schema_name for tenant in tenants]
    restaurants = Restaurant.objects.in_bulk(schemas, field_name="schema_name")
    fresh = []
    with override_settings(DYSA_JWT_ACCESS_SECONDS=seconds):
        for tenant in tenants:
            use_tenant(restaurants[tenant.schema_name])
            try:
                token = token_pair_issue(user=User.objects.get(role="owner")).access
            finally:
                use_public_schema()
            fresh.append(replace(tenant, token=token))
    return fresh


def menu_requests(tenants: list[BenchTenant]) -> list[Request]:
    return [Request("GET", "/api/v1/menu/", t.host) for t in tenants]


def order_requests(tenants: list[BenchTenant]) -> list[Request]:
    def body(tenant: BenchTenant) -> bytes:
        return json.dumps(
            {
                "order_type": "pickup",
                "customer_phone": "+34612345678",
                "lines": [{"item_id": tenant.item_id, "quantity": 2}],
            }
        ).encode()

    return [
        Request(
            "POST",
            "/api/v1/orders/",
            t.host,
            (("Authorization", f"Bearer {t.token}"), ("Content-Type", "application/json")),
            body(t),
        )
        for t in tenants
    ]


def search_path_sets_per_request(tenants: list[BenchTenant]) -> dict[str, float]:
    """`SET search_path` statements per request, counted in process with the same settings."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    def count(requests: list[Request]) -> float:
        client = Client()
        for request in requests[:3]:  # warm the host cache and the menu cache
            _send(client, request)
        with CaptureQueriesContext(connection) as queries:
            for request in requests:
                _send(client, request)
        sets = sum(1 for q in queries.captured_queries if q["sql"].startswith("SET search_path"))
        return round(sets / len(requests), 3)

    sample = tenants[:3] * 10
    with override_settings(REST_FRAMEWORK=_unthrottled()):
        return {
            "menu_get_cached": count(menu_requests(sample)),
            "order_create": count(order_requests(sample)),
        }


def _unthrottled() -> dict[str, Any]:
    from django.conf import settings

    rest = dict(settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_CLASSES"] = []
    return rest


def _send(client: Any, request: Request) -> None:
    headers = {
        f"HTTP_{k.upper().replace('-', '_')}": v
        for k, v in request.headers
        if k.lower() != "content-type"
    }
    if request.method == "GET":
        response = client.get(request.path, HTTP_HOST=request.host, **headers)
    else:
        response = client.post(
            request.path,
            data=request.body,
            content_type="application/json",
            HTTP_HOST=request.host,
            **headers,
        )
    assert response.status_code < 300, (request.path, response.status_code, response.content)


# --- the benchmark -----------------------------------------------------------------------------


def measure_bare(duration: float) -> dict[str, Any]:
    with Gunicorn("tests.benchmarks.bare_wsgi:application", "") as bare:
        return measure(bare.port, [Request("GET", "/bare/", "127.0.0.1")], duration=duration)


def say(text: str) -> None:
    print(text, flush=True)  # noqa: T201


def run(ctx: BenchContext) -> dict[str, object]:
    from django.conf import settings
    from django.db import connections

    prepare_bench_database()
    big = ctx.size(ctx.tenants, 20)
    small = min(10, big)
    duration = float(ctx.size(10, 3))
    say(f"preparing {big} tenants (first run onboards and seeds them)...")
    tenants = ensure_tenants(big, say)
    sets = search_path_sets_per_request(tenants)
    connections.close_all()

    results: dict[str, Any] = {
        "tenants": {"small": small, "large": big},
        "gunicorn_workers": WORKERS,
        "connections": CONNECTIONS,
        "duration_s": duration,
        # The production defaults: host lookups live this long on their own, longer while
        # Redis vouches for the registry version (tenants/host_cache.py).
        "tenant_cache_seconds": settings.DYSA_TENANT_CACHE_SECONDS,
        "near_cache": settings.DYSA_NEAR_CACHE,
        "search_path_sets": sets,
    }
    say("bare Django view...")
    results["bare"] = measure_bare(duration)
    with Gunicorn("config.wsgi:application", "config.settings.bench") as app:
        for label, group in (("small", tenants[:small]), ("large", tenants)):
            say(f"cached menu GET, {len(group)} tenants...")
            results[f"menu_cached_{label}"] = measure(
                app.port, menu_requests(group), duration=duration, per_pair=5
            )
            say(f"order create, {len(group)} tenants...")
            results[f"order_create_{label}"] = measure(
                app.port, order_requests(group), duration=duration
            )
    with Gunicorn("config.wsgi:application", "config.settings.bench_uncached") as app:
        for label, group in (("small", tenants[:small]), ("large", tenants)):
            say(f"uncached menu GET, {len(group)} tenants...")
            results[f"menu_uncached_{label}"] = measure(
                app.port, menu_requests(group), duration=duration
            )

    say("bare Django view again (the machine is shared: the better run is the baseline)...")
    again = measure_bare(duration)
    if again["saturation"]["rps"] > results["bare"]["saturation"]["rps"]:
        results["bare"] = again
    bare_rps = results["bare"]["saturation"]["rps"]
    for key in list(results):
        if key.startswith(("menu_", "order_")):
            results[key]["ratio_to_bare"] = round(results[key]["saturation"]["rps"] / bare_rps, 3)
    cached = results["menu_cached_large"]
    results["targets"] = {
        "cached_menu_throughput_vs_bare": target(
            cached["ratio_to_bare"], 0.6, unit="x", higher_is_better=True
        ),
        "cached_menu_p99_at_70pct_ms": target(cached["at_70_percent"]["p99_ms"], 50, unit="ms"),
        "set_search_path_per_request": target(max(sets.values()), 1, unit="per request"),
    }
    results["targets"]["set_search_path_per_request"]["met"] = max(sets.values()) <= 1
    return results


if __name__ == "__main__":  # pragma: no cover - run through `python -m tests.benchmarks api`
    raise SystemExit("run with: python -m tests.benchmarks api [--quick]")
