"""A small local HTTP server that speaks Ollama's /api/chat and OpenAI's chat completions.

Tests script its answers (JSON bodies, NDJSON or SSE streams, errors, delays) and read back
the requests it received. Real sockets, real HTTP: the clients under test are not mocked.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # a JSON value
    raw: bytes | None = None  # sent as is instead of `body` (a broken or non-JSON answer)
    stream: list[str] | None = None  # raw lines (NDJSON or "data: ..." SSE lines)
    content_type: str = "application/json"
    delay: float = 0.0
    line_delay: float = 0.0  # pause between stream lines (a server that drips its answer)


@dataclass
class FakeModelServer:
    replies: list[Reply] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""
    # Answers every request once the script is used up (a model that is always there).
    responder: Callable[[dict[str, Any]], Reply] | None = None

    def script(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    def next_reply(self, request: dict[str, Any]) -> Reply:
        if self.replies:
            return self.replies.pop(0)
        if self.responder is not None:
            return self.responder(request)
        return Reply(status=500, body={"error": "no script"})


def ollama_message(
    content: str = "",
    *,
    tool_calls: list[dict[str, Any]] | None = None,
    prompt: int = 30,
    completion: int = 7,
) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = [{"function": call} for call in tool_calls]
    return {
        "model": "phi3:mini",
        "message": message,
        "done": True,
        "prompt_eval_count": prompt,
        "eval_count": completion,
    }


def openai_message(
    content: str | None = "",
    *,
    tool_calls: list[dict[str, Any]] | None = None,
    prompt: int = 40,
    completion: int = 9,
) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = [
            {
                "id": f"call_{i}",
                "type": "function",
                "function": {"name": call["name"], "arguments": json.dumps(call["arguments"])},
            }
            for i, call in enumerate(tool_calls)
        ]
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": prompt, "completion_tokens": completion},
    }


def _handler(server: FakeModelServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep test output quiet
            return

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw)
            except json.JSONDecodeError:
                body = None
            request = {
                "path": self.path,
                "body": body,
                "authorization": self.headers.get("Authorization", ""),
            }
            server.requests.append(request)
            reply = server.next_reply(request)
            if reply.delay:
                time.sleep(reply.delay)
            try:
                self._send(reply)
            except (BrokenPipeError, ConnectionResetError):
                return

        def _send(self, reply: Reply) -> None:
            self.send_response(reply.status)
            if reply.stream is not None:
                self.send_header("Content-Type", reply.content_type)
                self.end_headers()
                for line in reply.stream:
                    self.wfile.write(line.encode() + b"\n")
                    self.wfile.flush()
                    time.sleep(reply.line_delay)
                return
            payload = reply.raw if reply.raw is not None else json.dumps(reply.body).encode()
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler


@contextmanager
def fake_model_server() -> Iterator[FakeModelServer]:
    state = FakeModelServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
