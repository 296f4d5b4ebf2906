"""HTTP clients for language models: Ollama's /api/chat and OpenAI-compatible chat completions.

Both speak the same small interface: send messages plus either a JSON schema (structured
output, for models without tool support such as phi3:mini) or tool definitions; get back text,
tool calls and token counts. Streaming responses (NDJSON for Ollama, server-sent events for
OpenAI-compatible servers) are read incrementally under one overall deadline.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from tenant_apps.assistant.llm.egress import EgressRefusedError, pinned_target

CONNECT_TIMEOUT = 2.0
# A turn's answer is a few hundred bytes; anything this large is a misbehaving server.
MAX_RESPONSE_BYTES = 1_000_000


class ProviderError(Exception):
    """The model could not answer (network, HTTP error, malformed response)."""


class ProviderTimeoutError(ProviderError):
    pass


class InvalidOutputError(ProviderError):
    """The server answered, but the model's output breaks the turn's schema.

    `result` keeps what was answered (its token counts are spent all the same).
    """

    result: ChatResult | None = None


class ToolsUnsupportedError(ProviderError):
    """The server said this model cannot use tools (e.g. Ollama's 400 "does not support tools")."""


@dataclass(frozen=True)
class ToolCall:
    name: str
    arguments: dict[str, Any]


@dataclass
class ChatResult:
    content: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass(frozen=True)
class ChatRequest:
    messages: list[dict[str, str]]
    schema: dict[str, Any] | None = None
    tools: list[dict[str, Any]] | None = None
    temperature: float = 0.2
    stream: bool = False
    timeout: float = 8.0


def _tool_args(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    if isinstance(raw, str) and raw.strip():
        try:
            parsed = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise InvalidOutputError("tool arguments are not JSON") from exc
        if isinstance(parsed, dict):
            return parsed
    return {}


def _count(raw: Any) -> int:
    """A token count from the server; anything but a non-negative number counts as 0."""
    try:
        return max(0, int(raw or 0))
    except (TypeError, ValueError):
        return 0


def _with_tool_calls(result: ChatResult, message: dict[str, Any]) -> ChatResult:
    """Add the message's tool calls; on malformed ones the tokens still reach the caller."""
    try:
        result.tool_calls = [
            ToolCall(
                name=str(call["function"].get("name") or ""),
                arguments=_tool_args(call["function"].get("arguments")),
            )
            for call in message.get("tool_calls") or []
            if isinstance(call, dict) and isinstance(call.get("function"), dict)
        ]
    except InvalidOutputError as exc:
        exc.result = result
        raise
    return result


class _Client:
    path = ""

    def __init__(self, *, base_url: str, model: str, api_key: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.api_key = api_key

    def headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        return headers

    def url(self) -> str:
        return self.base_url + self.path

    def body(self, request: ChatRequest) -> dict[str, Any]:
        raise NotImplementedError

    def parse(self, data: dict[str, Any]) -> ChatResult:
        raise NotImplementedError

    def parse_stream(self, lines: Iterator[str], deadline: float) -> ChatResult:
        raise NotImplementedError

    def unsupported_tools(self, status: int, text: str) -> bool:
        lowered = text.lower()
        return (
            status == 400
            and "tool" in lowered
            and ("not support" in lowered or "unsupported" in lowered)
        )

    def chat(self, request: ChatRequest) -> ChatResult:
        deadline = time.monotonic() + request.timeout
        timeout = httpx.Timeout(request.timeout, connect=min(CONNECT_TIMEOUT, request.timeout))
        try:
            target = pinned_target(self.url())
        except EgressRefusedError as exc:
            raise ProviderError(str(exc)) from exc
        extensions = {"sni_hostname": target.sni_hostname} if target.sni_hostname else {}
        try:
            # No proxies from the environment and no redirects: the request goes to the
            # address just checked, nowhere else.
            with (
                httpx.Client(timeout=timeout, trust_env=False, follow_redirects=False) as http,
                http.stream(
                    "POST",
                    target.url,
                    json=self.body(request),
                    headers={**self.headers(), "Host": target.host_header},
                    extensions=extensions,
                ) as response,
            ):
                if response.status_code >= 400:
                    text = response.read().decode("utf-8", "replace")[:500]
                    if request.tools and self.unsupported_tools(response.status_code, text):
                        raise ToolsUnsupportedError(text)
                    raise ProviderError(f"HTTP {response.status_code}: {text[:200]}")
                content_type = response.headers.get("content-type", "")
                if request.stream or "ndjson" in content_type or "event-stream" in content_type:
                    return self.parse_stream(_capped_lines(response, deadline), deadline)
                raw = _read_body(response, deadline)
        except httpx.TimeoutException as exc:
            raise ProviderTimeoutError(str(exc) or "timed out") from exc
        except httpx.HTTPError as exc:
            raise ProviderError(f"{type(exc).__name__}: {exc}") from exc
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ProviderError("response is not JSON") from exc
        if not isinstance(data, dict):
            raise ProviderError("response is not a JSON object")
        return self.parse(data)


def _json_object(text: str) -> dict[str, Any]:
    try:
        chunk = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProviderError("stream chunk is not JSON") from exc
    if not isinstance(chunk, dict):
        raise ProviderError("stream chunk is not a JSON object")
    return chunk


def _check_deadline(deadline: float) -> None:
    if time.monotonic() > deadline:
        raise ProviderTimeoutError("the model took too long to stream its answer")


def _read_body(response: httpx.Response, deadline: float) -> bytes:
    """The whole body under the request's deadline: httpx's read timeout is per socket read,
    so a server dripping bytes would otherwise hold the customer's turn indefinitely."""
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        _check_deadline(deadline)
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            raise ProviderError("the response is too large")
        chunks.append(chunk)
    return b"".join(chunks)


def _capped_lines(response: httpx.Response, deadline: float) -> Iterator[str]:
    """The streamed body's lines, under the deadline and MAX_RESPONSE_BYTES in all (a server
    streaming forever, or one endless line, ends the call instead of filling memory)."""
    size = 0
    pending = b""
    for chunk in response.iter_bytes():
        _check_deadline(deadline)
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            raise ProviderError("the response is too large")
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            yield line.rstrip(b"\r").decode("utf-8", "replace")
    if pending:
        yield pending.rstrip(b"\r").decode("utf-8", "replace")


class OllamaClient(_Client):
    path = "/api/chat"

    def body(self, request: ChatRequest) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": request.messages,
            "stream": request.stream,
            "options": {"temperature": request.temperature},
        }
        if request.tools:
            body["tools"] = request.tools
        elif request.schema:
            body["format"] = request.schema
        return body

    def parse(self, data: dict[str, Any]) -> ChatResult:
        if "error" in data:
            raise ProviderError(str(data["error"])[:200])
        message = data.get("message")
        if not isinstance(message, dict):
            raise ProviderError("no message in the response")
        result = ChatResult(
            content=str(message.get("content") or ""),
            prompt_tokens=_count(data.get("prompt_eval_count")),
            completion_tokens=_count(data.get("eval_count")),
        )
        return _with_tool_calls(result, message)

    def parse_stream(self, lines: Iterator[str], deadline: float) -> ChatResult:
        result = ChatResult()
        for line in lines:
            _check_deadline(deadline)
            if not line.strip():
                continue
            chunk = _json_object(line)
            part = self.parse(chunk)
            result.content += part.content
            result.tool_calls.extend(part.tool_calls)
            if chunk.get("done"):
                result.prompt_tokens = part.prompt_tokens
                result.completion_tokens = part.completion_tokens
                return result
        raise ProviderError("the stream ended before the model finished")


class OpenAIClient(_Client):
    """Any server speaking OpenAI's chat completions (OpenAI, vLLM, llama.cpp, LM Studio...)."""

    def url(self) -> str:
        base = self.base_url
        return base + ("/chat/completions" if base.endswith("/v1") else "/v1/chat/completions")

    def body(self, request: ChatRequest) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": request.messages,
            "temperature": request.temperature,
            "stream": request.stream,
        }
        if request.stream:
            body["stream_options"] = {"include_usage": True}
        if request.tools:
            body["tools"] = [{"type": "function", "function": tool} for tool in request.tools]
        elif request.schema:
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "assistant_turn", "schema": request.schema},
            }
        return body

    def parse(self, data: dict[str, Any]) -> ChatResult:
        if "error" in data:
            raise ProviderError(str(data["error"])[:200])
        choices = data.get("choices")
        if not isinstance(choices, list) or not choices:
            raise ProviderError("no choices in the response")
        message = choices[0].get("message") if isinstance(choices[0], dict) else None
        if not isinstance(message, dict):
            raise ProviderError("no message in the response")
        raw_usage = data.get("usage")
        usage: dict[str, Any] = raw_usage if isinstance(raw_usage, dict) else {}
        result = ChatResult(
            content=str(message.get("content") or ""),
            prompt_tokens=_count(usage.get("prompt_tokens")),
            completion_tokens=_count(usage.get("completion_tokens")),
        )
        return _with_tool_calls(result, message)

    def parse_stream(self, lines: Iterator[str], deadline: float) -> ChatResult:
        result = ChatResult()
        calls: dict[int, dict[str, str]] = {}
        for line in lines:
            _check_deadline(deadline)
            if not line.startswith("data:"):
                continue
            payload = line[5:].strip()
            if payload == "[DONE]":
                message = {"tool_calls": [{"function": call} for _, call in sorted(calls.items())]}
                return _with_tool_calls(result, message)
            chunk = _json_object(payload)
            if chunk.get("error"):
                raise ProviderError(str(chunk["error"])[:200])
            usage = chunk.get("usage") or {}
            if usage:
                result.prompt_tokens = _count(usage.get("prompt_tokens"))
                result.completion_tokens = _count(usage.get("completion_tokens"))
            for choice in chunk.get("choices") or []:
                delta = choice.get("delta") or {}
                result.content += str(delta.get("content") or "")
                for call in delta.get("tool_calls") or []:
                    slot = calls.setdefault(
                        int(call.get("index", 0)), {"name": "", "arguments": ""}
                    )
                    function = call.get("function") or {}
                    slot["name"] += str(function.get("name") or "")
                    slot["arguments"] += str(function.get("arguments") or "")
        raise ProviderError("the stream ended before [DONE]")
