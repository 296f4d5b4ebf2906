"""A small HTTP server on 127.0.0.1 that plays Twilio's Messages API and Meta's Graph API.

It checks credentials like the real ones (Basic auth with the account SID and auth token;
a Bearer access token), records every message it accepts, in order, and can be told to
answer the next requests with an error (an outage) or to hold one request open (for a
worker killed mid-send).
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

ACCOUNT_SID = "AC" + "1" * 32
AUTH_TOKEN = "twilio-auth-token-alpha"
PHONE_NUMBER_ID = "109876543210"
ACCESS_TOKEN = "meta-access-token-alpha"


@dataclass
class Sent:
    provider: str
    to: str
    text: str
    provider_message_id: str
    reference: str = ""
    status_callback: str = ""
    template: str = ""
    variables: list[str] = field(default_factory=list)
    received_at: float = field(default_factory=time.monotonic)


class FakeProvider:
    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self.requests = 0
        self._lock = threading.Lock()
        self._failures: list[int] = []
        self.hold = threading.Event()  # set: requests are answered; clear: held open
        self.hold.set()
        self.holding = threading.Event()  # set while a request is held open
        # "after": the provider has the message when the request is held (the answer is what
        # gets lost); "before": the request is held before the provider takes it (lost).
        self.hold_mode = "after"
        self.answer_delay = 0.0  # seconds an accepted message waits for its answer (a slow API)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakeProvider:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.hold.set()
        self.server.shutdown()
        self.server.server_close()

    def fail_next(self, count: int, status: int = 503) -> None:
        with self._lock:
            self._failures.extend([status] * count)

    def texts(self) -> list[str]:
        with self._lock:
            return [s.text for s in self.sent]

    def arrivals(self) -> list[tuple[str, float]]:
        """(recipient, time.monotonic() it arrived) of every message accepted, in order."""
        with self._lock:
            return [(s.to, s.received_at) for s in self.sent]

    def _take_failure(self) -> int | None:
        with self._lock:
            self.requests += 1
            return self._failures.pop(0) if self._failures else None

    def _record(self, sent: Sent) -> None:
        with self._lock:
            self.sent.append(sent)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                failure = fake._take_failure()
                if failure is not None:
                    self._answer(failure, {"message": "try again later"})
                    return
                if not fake.hold.is_set() and fake.hold_mode == "before":
                    fake.holding.set()
                    fake.hold.wait(30)
                    return
                if self.path.startswith("/2010-04-01/Accounts/"):
                    sent = self._twilio(body)
                else:
                    sent = self._meta(body)
                if sent is None:
                    return
                fake._record(sent)
                if fake.answer_delay:
                    time.sleep(fake.answer_delay)
                if not fake.hold.is_set():
                    fake.holding.set()
                    fake.hold.wait(30)
                    return  # the client is gone by now: no answer
                if sent.provider == "twilio":
                    self._answer(201, {"sid": sent.provider_message_id, "status": "queued"})
                else:
                    self._answer(200, {"messages": [{"id": sent.provider_message_id}]})

            def _twilio(self, body: bytes) -> Sent | None:
                expected = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
                if self.headers.get("Authorization") != f"Basic {expected}":
                    self._answer(401, {"message": "Authenticate"})
                    return None
                form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
                variables = json.loads(form.get("ContentVariables", "{}"))
                return Sent(
                    provider="twilio",
                    to=form["To"],
                    text=form.get("Body", ""),
                    provider_message_id="SM" + uuid.uuid4().hex,
                    status_callback=form.get("StatusCallback", ""),
                    template=form.get("ContentSid", ""),
                    variables=[variables[k] for k in sorted(variables)],
                )

            def _meta(self, body: bytes) -> Sent | None:
                if self.headers.get("Authorization") != f"Bearer {ACCESS_TOKEN}":
                    self._answer(401, {"error": {"message": "Invalid OAuth access token"}})
                    return None
                if not self.path.startswith(f"/{PHONE_NUMBER_ID}/messages"):
                    self._answer(400, {"error": {"message": "Unknown phone number id"}})
                    return None
                data = json.loads(body)
                template = data.get("template") or {}
                parameters = (template.get("components") or [{}])[0].get("parameters", [])
                return Sent(
                    provider="meta",
                    to=data["to"],
                    text=(data.get("text") or {}).get("body", ""),
                    provider_message_id="wamid." + uuid.uuid4().hex,
                    reference=data.get("biz_opaque_callback_data", ""),
                    template=template.get("name", ""),
                    variables=[p["text"] for p in parameters],
                )

        return Handler
