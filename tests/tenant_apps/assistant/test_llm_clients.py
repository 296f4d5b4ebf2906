"""LLM clients over real HTTP against a local fake server: JSON schema, tools, streams, errors."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest

from tenant_apps.assistant.llm.clients import (
    ChatRequest,
    OllamaClient,
    OpenAIClient,
    ProviderError,
    ProviderTimeoutError,
    ToolsUnsupportedError,
)
from tenant_apps.assistant.llm.proposal import TOOLS, TURN_SCHEMA
from tests.tenant_apps.assistant.fake_llm import (
    FakeModelServer,
    Reply,
    fake_model_server,
    ollama_message,
    openai_message,
)

MESSAGES = [{"role": "user", "content": "dos tacos al pastor"}]


@pytest.fixture
def server() -> Iterator[FakeModelServer]:
    with fake_model_server() as running:
        yield running


def test_ollama_without_tools_sends_the_json_schema_as_format(server: FakeModelServer) -> None:
    server.script(Reply(body=ollama_message('{"intent": "add", "reply": "ok"}')))
    client = OllamaClient(base_url=server.url, model="phi3:mini")

    result = client.chat(ChatRequest(messages=MESSAGES, schema=TURN_SCHEMA))

    sent = server.requests[0]
    assert sent["path"] == "/api/chat"
    assert sent["body"]["format"] == TURN_SCHEMA
    assert "tools" not in sent["body"]
    assert sent["body"]["stream"] is False
    assert json.loads(result.content)["intent"] == "add"
    assert (result.prompt_tokens, result.completion_tokens) == (30, 7)


def test_ollama_with_tools_returns_tool_calls(server: FakeModelServer) -> None:
    server.script(
        Reply(
            body=ollama_message(
                tool_calls=[
                    {
                        "name": "add_to_order",
                        "arguments": {"items": [{"item_id": 3, "quantity": 2}]},
                    },
                ]
            )
        )
    )
    client = OllamaClient(base_url=server.url, model="llama3.1")

    result = client.chat(ChatRequest(messages=MESSAGES, tools=TOOLS))

    assert server.requests[0]["body"]["tools"] == TOOLS
    assert result.tool_calls[0].name == "add_to_order"
    assert result.tool_calls[0].arguments["items"][0]["item_id"] == 3


def test_ollama_400_does_not_support_tools_is_recognised(server: FakeModelServer) -> None:
    server.script(
        Reply(
            status=400,
            body={"error": "registry.ollama.ai/library/phi3:mini does not support tools"},
        )
    )
    client = OllamaClient(base_url=server.url, model="phi3:mini")

    with pytest.raises(ToolsUnsupportedError):
        client.chat(ChatRequest(messages=MESSAGES, tools=TOOLS))


def test_ollama_streaming_ndjson_is_assembled(server: FakeModelServer) -> None:
    chunks = [
        {"message": {"role": "assistant", "content": '{"intent": '}, "done": False},
        {"message": {"role": "assistant", "content": '"greet", "reply": "hola"}'}, "done": False},
        {
            "message": {"role": "assistant", "content": ""},
            "done": True,
            "prompt_eval_count": 12,
            "eval_count": 5,
        },
    ]
    server.script(
        Reply(stream=[json.dumps(c) for c in chunks], content_type="application/x-ndjson")
    )
    client = OllamaClient(base_url=server.url, model="phi3:mini")

    result = client.chat(ChatRequest(messages=MESSAGES, schema=TURN_SCHEMA, stream=True))

    assert json.loads(result.content) == {"intent": "greet", "reply": "hola"}
    assert (result.prompt_tokens, result.completion_tokens) == (12, 5)


def test_a_stream_cut_short_is_an_error(server: FakeModelServer) -> None:
    server.script(
        Reply(
            stream=[json.dumps({"message": {"content": "{"}, "done": False})],
            content_type="application/x-ndjson",
        )
    )
    client = OllamaClient(base_url=server.url, model="phi3:mini")

    with pytest.raises(ProviderError):
        client.chat(ChatRequest(messages=MESSAGES, schema=TURN_SCHEMA, stream=True))


def test_openai_compatible_tools_with_json_string_arguments(server: FakeModelServer) -> None:
    server.script(
        Reply(
            body=openai_message(
                None,
                tool_calls=[
                    {
                        "name": "book_table",
                        "arguments": {"party_size": 4, "date": "2030-05-03", "time": "21:00"},
                    },
                ],
            )
        )
    )
    client = OpenAIClient(base_url=server.url + "/v1", model="gpt-4o-mini", api_key="sk-test")

    result = client.chat(ChatRequest(messages=MESSAGES, tools=TOOLS))

    sent = server.requests[0]
    assert sent["path"] == "/v1/chat/completions"
    assert sent["authorization"] == "Bearer sk-test"
    assert sent["body"]["tools"][0] == {"type": "function", "function": TOOLS[0]}
    assert result.tool_calls[0].arguments == {
        "party_size": 4,
        "date": "2030-05-03",
        "time": "21:00",
    }
    assert (result.prompt_tokens, result.completion_tokens) == (40, 9)


def test_openai_compatible_structured_output_uses_response_format(server: FakeModelServer) -> None:
    server.script(Reply(body=openai_message('{"intent": "menu", "reply": "Aquí va"}')))
    client = OpenAIClient(base_url=server.url, model="local")

    result = client.chat(ChatRequest(messages=MESSAGES, schema=TURN_SCHEMA))

    body = server.requests[0]["body"]
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["schema"] == TURN_SCHEMA
    assert json.loads(result.content)["intent"] == "menu"


def test_openai_compatible_sse_stream_with_tool_call_deltas(server: FakeModelServer) -> None:
    deltas = [
        {
            "choices": [
                {
                    "delta": {
                        "tool_calls": [
                            {
                                "index": 0,
                                "function": {
                                    "name": "add_to_order",
                                    "arguments": '{"items": [{"item_',
                                },
                            }
                        ]
                    }
                }
            ]
        },
        {
            "choices": [
                {
                    "delta": {
                        "tool_calls": [
                            {"index": 0, "function": {"arguments": 'id": 5, "quantity": 1}]}'}}
                        ]
                    }
                }
            ]
        },
        {"choices": [], "usage": {"prompt_tokens": 50, "completion_tokens": 11}},
    ]
    server.script(
        Reply(
            stream=[f"data: {json.dumps(d)}\n" for d in deltas] + ["data: [DONE]"],
            content_type="text/event-stream",
        )
    )
    client = OpenAIClient(base_url=server.url, model="local")

    result = client.chat(ChatRequest(messages=MESSAGES, tools=TOOLS, stream=True))

    assert server.requests[0]["body"]["stream"] is True
    assert result.tool_calls[0].arguments == {"items": [{"item_id": 5, "quantity": 1}]}
    assert (result.prompt_tokens, result.completion_tokens) == (50, 11)


def test_openai_compatible_400_about_tools_is_recognised(server: FakeModelServer) -> None:
    server.script(
        Reply(status=400, body={"error": {"message": "tools is not supported by this model"}})
    )
    client = OpenAIClient(base_url=server.url, model="local")

    with pytest.raises(ToolsUnsupportedError):
        client.chat(ChatRequest(messages=MESSAGES, tools=TOOLS))


@pytest.mark.parametrize(
    "reply",
    [
        Reply(status=500, body={"error": "model crashed"}),
        Reply(status=200, body=["not", "an", "object"]),
        Reply(status=200, body={"unexpected": True}),
        Reply(status=404, body={"error": "model 'nope' not found"}),
    ],
)
def test_server_errors_and_malformed_answers_are_provider_errors(
    server: FakeModelServer, reply: Reply
) -> None:
    server.script(reply)
    client = OllamaClient(base_url=server.url, model="phi3:mini")

    with pytest.raises(ProviderError):
        client.chat(ChatRequest(messages=MESSAGES, schema=TURN_SCHEMA))


def test_a_slow_model_times_out(server: FakeModelServer) -> None:
    server.script(Reply(body=ollama_message("{}"), delay=1.0))
    client = OllamaClient(base_url=server.url, model="phi3:mini")

    with pytest.raises(ProviderTimeoutError):
        client.chat(ChatRequest(messages=MESSAGES, schema=TURN_SCHEMA, timeout=0.3))


def test_nothing_listening_is_a_provider_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = OpenAIClient(base_url=f"http://127.0.0.1:{port}", model="local")

    with pytest.raises(ProviderError):
        client.chat(ChatRequest(messages=MESSAGES, schema=TURN_SCHEMA, timeout=1.0))
