"""A small HTTP server playing Stripe's API for the `stripe` SDK (form-encoded POSTs, JSON
answers), and a signer of webhook events as Stripe signs them."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl


@dataclass
class FakeStripe:
    """State of the fake: what was asked, and how to answer."""

    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    # Customers whose payments are declined (card_error, as Stripe answers with 402).
    declining: set[str] = field(default_factory=set)
    # While true, every call answers 503 (Stripe having a bad day).
    unavailable: bool = False
    url: str = ""
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_{next(self._ids):04d}"

    def calls(self, path_prefix: str) -> list[dict[str, str]]:
        return [body for _method, path, body in self.requests if path.startswith(path_prefix)]


Answer = tuple[int, dict[str, Any]]


def _payment_intent(fake: FakeStripe, body: dict[str, str]) -> Answer:
    if body.get("customer") in fake.declining:
        return 402, {
            "error": {
                "type": "card_error",
                "code": "card_declined",
                "message": "Your card was declined.",
            }
        }
    return 200, {
        "id": fake.new_id("pi"),
        "object": "payment_intent",
        "status": "succeeded",
        "amount": int(body["amount"]),
        "currency": body["currency"],
    }


_CREATED = {"/v1/customers": "cus", "/v1/prices": "price", "/v1/subscriptions": "sub"}


def _answer(fake: FakeStripe, path: str, body: dict[str, str]) -> Answer:
    if fake.unavailable:
        return 503, {"error": {"type": "api_error", "message": "Stripe is unavailable"}}
    if path in _CREATED:
        return 200, {"id": fake.new_id(_CREATED[path]), "object": _CREATED[path]}
    if path.startswith("/v1/subscriptions/"):
        return 200, {"id": path.rsplit("/", 1)[-1], "object": "subscription"}
    if path == "/v1/payment_intents":
        return _payment_intent(fake, body)
    return 404, {"error": {"type": "invalid_request_error", "message": f"no route {path}"}}


def start_fake_stripe() -> tuple[FakeStripe, ThreadingHTTPServer]:
    fake = FakeStripe()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = dict(parse_qsl(self.rfile.read(length).decode()))
            fake.requests.append(("POST", self.path, body))
            code, payload = _answer(fake, self.path, body)
            data = json.dumps(payload).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Request-Id", "req_fake")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    return fake, server


def signed_headers(payload: bytes, secret: str, *, at: float | None = None) -> dict[str, str]:
    timestamp = int(time.time() if at is None else at)
    signature = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256
    ).hexdigest()
    return {"HTTP_STRIPE_SIGNATURE": f"t={timestamp},v1={signature}"}


def stripe_event(
    event_id: str, event_type: str, obj: dict[str, Any], *, created: int | None = None
) -> bytes:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": event_type,
            "created": int(time.time()) if created is None else created,
            "data": {"object": obj},
        }
    ).encode()
