"""Fault suite (docs/operations.md, "Incidents"): Redis stopped and started again.

Redis down means slower, not broken: the menu API and the assistant keep answering from the
database while a Redis of the test's own is stopped, and once it is back the cache fills again
without restarting anything.
"""

from __future__ import annotations

import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.test import override_settings
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from config.settings.base import redis_caches
from core.hotpath.near import near_side_reset
from infra.devservices import redis_server_binary
from tests.tenant_apps.menu.factories import make_category, make_item
from tests.tenants.factories import TenantHandle


class OwnRedis:
    """A redis-server of this test's own, on a fixed port, that can be stopped and restarted."""

    def __init__(self) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        self.directory = Path(tempfile.mkdtemp(prefix="dysa-redis-"))
        self.process: subprocess.Popen[bytes] | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(redis_server_binary()), "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", str(self.directory), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis.Redis.from_url(self.url).ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def keys(self) -> list[bytes]:
        return list(redis.Redis.from_url(self.url).scan_iter(count=1000))


@pytest.fixture
def own_redis() -> Iterator[OwnRedis]:
    server = OwnRedis()
    server.start()
    try:
        with override_settings(CACHES=redis_caches(server.url)):
            near_side_reset(retry_now=True)
            yield server
    finally:
        server.stop()
        near_side_reset(retry_now=True)


def _chat(client: APIClient) -> tuple[int, int]:
    session = client.post("/api/v1/chat/sessions/", {"language": "es"}, format="json")
    if session.status_code != 201:
        return session.status_code, 0
    visitor = APIClient(HTTP_HOST=client.defaults["HTTP_HOST"])
    visitor.credentials(HTTP_AUTHORIZATION=f"Bearer {session.json()['token']}")
    reply = visitor.post("/api/v1/chat/messages/", {"text": "¿qué tacos tenéis?"}, format="json")
    return session.status_code, reply.status_code


def _answers(client: APIClient) -> dict[str, Any]:
    menu = client.get("/api/v1/menu/")
    return {
        "menu": menu.status_code,
        "dish": menu.json()["categories"][0]["items"][0]["name"] if menu.status_code == 200 else "",
        "chat": _chat(client),
    }


def test_redis_stopped_and_restarted_the_api_and_assistant_keep_answering_and_caches_refill(
    tenant_a: TenantHandle, db: None, own_redis: OwnRedis
) -> None:
    with schema_context(tenant_a.schema_name):
        make_item(make_category(), "Tacos al pastor", "Al pastor tacos")
    client = APIClient(HTTP_HOST=tenant_a.host)
    expected = {"menu": 200, "dish": "Tacos al pastor", "chat": (201, 201)}

    before = _answers(client)
    cached_before = own_redis.keys()
    own_redis.stop()
    while_down = [_answers(client) for _ in range(3)]
    own_redis.start()
    after = [_answers(client) for _ in range(3)]
    cached_after = own_redis.keys()

    assert before == expected
    assert cached_before, "the menu answer and the throttles were cached"
    assert while_down == [expected] * 3
    assert after == [expected] * 3
    assert cached_after, "the cache fills again once Redis is back, with no restart"
