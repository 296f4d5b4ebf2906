"""Fault suite: the language model's endpoint accepts the request and never answers.

The restaurant's assistant is configured (through the staff API) to use a model at a local
server that reads the whole request and then holds the connection open without a byte of
answer. The customer's turn still returns, answered by the rules engine (the fallback), and the
call is recorded as a timeout. How long it took is `make bench`'s business, not this test's.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from core.db import use_public_schema, use_tenant
from tenant_apps.menu.models import MenuItem
from tests.tenant_apps.assistant.restaurant import seed_dialog_restaurant
from tests.tenant_apps.assistant.test_llm_turns import cart, configure, outcomes, said, start_chat
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db

TIMEOUT_SECONDS = 0.5


@dataclass
class HangingServer:
    """Accepts connections and reads requests; never writes a response."""

    listener: socket.socket = field(default_factory=socket.socket)
    requests: list[dict[str, object]] = field(default_factory=list)
    held: list[socket.socket] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}"

    def serve(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:  # closed by stop()
                return
            self.held.append(client)
            self.requests.append(self._read_request(client))

    @staticmethod
    def _read_request(client: socket.socket) -> dict[str, object]:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = client.recv(65536)
            if not chunk:
                break
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
        length = int(headers.get("Content-Length", headers.get("content-length", "0")))
        while len(body) < length:
            chunk = client.recv(65536)
            if not chunk:
                break
            body += chunk
        return {"request_line": lines[0], "body": json.loads(body) if body else None}

    def stop(self) -> None:
        self.listener.close()
        for client in self.held:
            client.close()


@pytest.fixture
def hanging_model() -> Iterator[HangingServer]:
    server = HangingServer()
    server.listener.bind(("127.0.0.1", 0))
    server.listener.listen()
    threading.Thread(target=server.serve, daemon=True).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def menu(tenant_a: TenantHandle, db: None) -> dict[str, MenuItem]:
    use_tenant(tenant_a.restaurant)
    items = seed_dialog_restaurant()
    use_public_schema()
    return items


def test_a_model_that_never_answers_is_replaced_by_the_rules_within_the_turn(
    tenant_a: TenantHandle, menu: dict[str, MenuItem], hanging_model: HangingServer
) -> None:
    configure(
        tenant_a,
        provider="ollama",
        base_url=hanging_model.url,
        model="phi3:mini",
        tool_mode="json",
        timeout_seconds=TIMEOUT_SECONDS,
    )
    chat = start_chat(tenant_a)

    answer = chat.say("quiero 2 tacos al pastor")

    assert "7,00 €" in said(answer), "the rules engine answered with the database's price"
    assert cart(tenant_a, chat.conversation) == [(menu["pastor"].pk, 2)]
    assert outcomes(tenant_a, chat.conversation) == ["timeout"]
    assert len(hanging_model.requests) == 1, "the model was asked, once"
    request = hanging_model.requests[0]
    assert str(request["request_line"]).startswith("POST /api/chat ")
    assert isinstance(request["body"], dict)
    assert request["body"]["model"] == "phi3:mini"
