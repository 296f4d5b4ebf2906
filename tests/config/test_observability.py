"""Sentry events are tagged with the tenant and carry no personal data or secrets."""

from __future__ import annotations

import gzip
import http.server
import threading
import uuid
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest
import sentry_sdk

from config.observability import _scrub_event, init_sentry
from core.context import request_id_var
from core.db import use_tenant
from tests.tenants.factories import TenantHandle


@pytest.mark.django_db
def test_events_are_tagged_with_tenant_and_request_and_lose_pii(tenant_a: TenantHandle) -> None:
    use_tenant(tenant_a.restaurant)
    token = request_id_var.set("req-abcdef12")
    event: dict[str, Any] = {
        "user": {"email": "ana@example.com", "ip_address": "10.0.0.1"},
        "request": {
            "cookies": {"sessionid": "abc"},
            "data": {"password": "hunter2-secret"},
            "headers": {"Authorization": "Bearer eyJhbGciOi.eyJzdWIi.c2lnbmF0", "Accept": "*/*"},
        },
        "extra": {"api_key": "k-123456"},
    }
    try:
        scrubbed = _scrub_event(event, {})
    finally:
        request_id_var.reset(token)

    assert scrubbed["tags"] == {"tenant": "t_alpha", "request_id": "req-abcdef12"}
    assert "user" not in scrubbed
    assert "cookies" not in scrubbed["request"]
    assert "data" not in scrubbed["request"]
    assert "eyJ" not in str(scrubbed)
    assert "k-123456" not in str(scrubbed)
    assert scrubbed["request"]["headers"]["Accept"] == "*/*"


class _Ingest(http.server.BaseHTTPRequestHandler):
    """Plays Sentry's envelope endpoint: keeps every body it is sent."""

    received: ClassVar[list[bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            import brotli  # type: ignore[import-not-found]

            body = brotli.decompress(body)
        self.received.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def sentry_ingest() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Ingest)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Ingest.received.clear()
    try:
        yield f"http://publickey@127.0.0.1:{server.server_address[1]}/1"
    finally:
        sentry_sdk.init()  # no DSN: reporting off again for the rest of the run
        server.shutdown()
        server.server_close()


def _fail_with_secrets_in_scope(signing_key: str, refresh_token: str) -> None:
    key_copy = signing_key  # noqa: F841 - locals the report must not carry
    raise RuntimeError("boom")


def test_a_reported_exception_carries_no_local_variables(sentry_ingest: str) -> None:
    """Finding 7: the SDK's default sends each frame's locals (signing keys, tokens)."""
    signing_key, refresh_token = f"sk-{uuid.uuid4().hex}", f"eyJ{uuid.uuid4().hex}"
    init_sentry(dsn=sentry_ingest, environment="test")
    try:
        _fail_with_secrets_in_scope(signing_key, refresh_token)
    except RuntimeError:
        sentry_sdk.capture_exception()
    sentry_sdk.flush(timeout=5)

    sent = b"".join(_Ingest.received)
    assert b"boom" in sent  # the event itself arrived
    assert b"_fail_with_secrets_in_scope" in sent  # with its stack trace
    assert signing_key.encode() not in sent
    assert refresh_token.encode() not in sent
    assert b'"vars"' not in sent


def test_frame_variables_that_reach_the_scrubber_are_dropped() -> None:
    event: dict[str, Any] = {
        "exception": {
            "values": [{"stacktrace": {"frames": [{"function": "f", "vars": {"key": "sk-1"}}]}}]
        }
    }

    assert "vars" not in str(_scrub_event(event, {}))
