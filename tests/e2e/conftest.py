"""Browser tests: a real server, a dedicated restaurant and Debian's Chromium.

The server is pytest-django's live server (threads in this process, on the test database), so
these tests commit their data (`transactional_db`). They work in their own restaurant,
onboarded here and purged afterwards (schema, secrets, registry rows and its cache keys), so
nothing they write reaches other tests.

Chromium reaches restaurant hosts through `--host-resolver-rules`, which maps the
restaurant's real domain (`<slug>.dysa.test`) and a second site to loopback: no test-only
domains or allowed hosts are needed, and the embedding page is a genuinely different origin.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django_redis import get_redis_connection  # type: ignore[import-untyped]

from tenants.models import Restaurant
from tenants.services import restaurant_delete, restaurant_purge
from tenants.validation import schema_name_for
from tests.tenants.factories import TenantHandle, onboard_restaurant

E2E_SLUG = "e2e"
EMBEDDING_HOST = "shop.example"
RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_path() -> str:
    found = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(found).exists():
        pytest.fail(
            "Browser tests need Debian's Chromium: apt-get install -y chromium "
            "(.ci/run installs it)."
        )
    return found


def _drop_cache_keys(schema_name: str) -> None:
    redis = get_redis_connection("default")
    keys = list(redis.scan_iter(match=f"{schema_name}:*", count=1000))
    if keys:
        redis.delete(*keys)


def _forget_leftovers(slug: str) -> None:
    """Remove what a crashed earlier run may have left (schema, registry row, cache)."""
    schema_name = schema_name_for(slug)
    leftover = Restaurant.objects.filter(slug=slug).first()
    if leftover is not None:
        restaurant_purge(restaurant=restaurant_delete(restaurant=leftover, force=True))
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE')
    _drop_cache_keys(schema_name)


def own_restaurant(slug: str, name: str, locale: str = "es") -> Iterator[TenantHandle]:
    """A restaurant of a browser test's own (for a fixture to `yield from`): onboarded after
    clearing what a crashed run left, purged afterwards with its cache keys."""
    _forget_leftovers(slug)
    result = onboard_restaurant(slug, name=name, locale=locale)
    handle = TenantHandle(
        restaurant=result.restaurant,
        host=f"{slug}.{settings.DYSA_BASE_DOMAIN}",
        owner_email=f"owner@{slug}.example",
    )
    yield handle
    restaurant = Restaurant.objects.filter(pk=result.restaurant.pk).first()
    if restaurant is not None:
        restaurant_purge(restaurant=restaurant_delete(restaurant=restaurant, force=True))
    _drop_cache_keys(handle.schema_name)


@pytest.fixture
def e2e_restaurant(transactional_db: None) -> Iterator[TenantHandle]:
    """A restaurant of its own for the browser test, purged afterwards."""
    yield from own_restaurant(E2E_SLUG, "Taquería E2E")


@contextmanager
def chromium_resolving(rules: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Debian's Chromium with these host resolver rules (`MAP host 127.0.0.1, ...`)."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop marked as running in this thread, which
    # Django's async-safety guard takes for async code; the test's ORM calls are plain sync.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_path(),
            args=[*CHROMIUM_ARGS, f"--host-resolver-rules={rules}"],
        )
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass(frozen=True)
class EmbeddingSite:
    """Another website (its own origin) whose page embeds the restaurant's widget."""

    origin: str
    page_url: str


def _embedding_page(widget_src: str) -> bytes:
    return (
        "<!doctype html><html lang='es'><head><meta charset='utf-8'>"
        "<title>Tienda de ejemplo</title></head>"
        "<body style='font-family:sans-serif;background:#f5f5f4;margin:40px'>"
        "<h1>Una web cualquiera</h1><p>Esta página incrusta el chat del restaurante.</p>"
        f"<script src='{widget_src}' defer></script></body></html>"
    ).encode()


@pytest.fixture
def embedding_site(live_server: Any, e2e_restaurant: TenantHandle) -> Iterator[EmbeddingSite]:
    port = live_server.thread.port
    body = _embedding_page(f"http://{e2e_restaurant.host}:{port}/widget.js")

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    origin = f"http://{EMBEDDING_HOST}:{server.server_address[1]}"
    yield EmbeddingSite(origin=origin, page_url=f"{origin}/")
    server.shutdown()
    server.server_close()


@pytest.fixture
def browser(e2e_restaurant: TenantHandle, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    rules = f"MAP {e2e_restaurant.host} 127.0.0.1, MAP {EMBEDDING_HOST} 127.0.0.1"
    with chromium_resolving(rules, monkeypatch) as chromium:
        yield chromium
