"""Real HTTP S3 endpoints for tests: moto's server, and a proxy in front of it that fails on cue.

The proxy forwards requests byte for byte to moto; a test arms it to cut connections or answer
500 for chosen requests (e.g. the second part of a multipart upload), which is what an S3 outage
mid-upload looks like to boto3.
"""

from __future__ import annotations

import http.client
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class SeenRequest:
    method: str
    path: str
    headers: dict[str, str]

    @property
    def is_upload_part(self) -> bool:
        return self.method == "PUT" and "partNumber=" in self.path

    @property
    def is_put(self) -> bool:
        return self.method == "PUT"


_ERROR_CODES = {400: "InvalidRequest", 500: "InternalError", 501: "NotImplemented", 503: "SlowDown"}
# A fault is "drop" (read part of the body, then close the connection) or an HTTP status.
Fault = str | int
FaultRule = Callable[[SeenRequest, int], Fault | None]


@dataclass
class FaultyProxy:
    upstream_port: int
    rule: FaultRule | None = None
    seen: list[SeenRequest] = field(default_factory=list)
    faults: int = 0
    port: int = 0
    _server: ThreadingHTTPServer | None = None

    def start(self) -> FaultyProxy:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                return None

            def _forward(self) -> None:
                request = SeenRequest(
                    self.command, self.path, {k.lower(): v for k, v in self.headers.items()}
                )
                proxy.seen.append(request)
                fault = proxy.rule(request, len(proxy.seen)) if proxy.rule else None
                length = int(self.headers.get("Content-Length") or 0)
                if fault == "drop":
                    proxy.faults += 1
                    self.rfile.read(min(length, 1024))
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                body = self.rfile.read(length) if length else b""
                if isinstance(fault, int):
                    proxy.faults += 1
                    code = _ERROR_CODES.get(fault, "InternalError")
                    payload = (
                        f"<Error><Code>{code}</Code><Message>injected</Message></Error>".encode()
                    )
                    self.send_response(fault)
                    self.send_header("Content-Type", "application/xml")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                upstream = http.client.HTTPConnection("127.0.0.1", proxy.upstream_port, timeout=60)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "expect"}
                upstream.request(self.command, self.path, body=body, headers=headers)
                response = upstream.getresponse()
                data = response.read()
                self.send_response(response.status)
                # HEAD answers carry the object's length with no body: pass it through.
                skipped = {"transfer-encoding", "connection"}
                if self.command != "HEAD":
                    skipped.add("content-length")
                    self.send_header("Content-Length", str(len(data)))
                for name, value in response.getheaders():
                    if name.lower() not in skipped:
                        self.send_header(name, value)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
                upstream.close()

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _forward  # noqa: N815

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
