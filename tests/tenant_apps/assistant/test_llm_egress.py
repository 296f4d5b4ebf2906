"""The model server URL is an SSRF vector (finding 3 of the outside review): strict URLs,
non-public addresses refused at save and at every connect unless the operator allows them,
streamed answers capped, slow-but-valid answers counted against the circuit breaker."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import override_settings
from django_tenants.utils import schema_context

from tenant_apps.assistant.llm import breaker
from tenant_apps.assistant.llm.clients import (
    MAX_RESPONSE_BYTES,
    ChatRequest,
    OllamaClient,
    ProviderError,
)
from tenant_apps.assistant.llm.egress import base_url_problem
from tests.tenant_apps.assistant.fake_llm import FakeModelServer, Reply, fake_model_server
from tests.tenant_apps.staff.factories import client_as
from tests.tenants.factories import TenantHandle

SETTINGS = "/api/v1/assistant/settings/"
MESSAGES = [{"role": "user", "content": "hola"}]
NO_PRIVATE = override_settings(DYSA_LLM_PRIVATE_ALLOWED=[])


@pytest.fixture
def server() -> Iterator[FakeModelServer]:
    with fake_model_server() as running:
        yield running


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data",  # cloud metadata (link-local)
        "http://127.0.0.1:6379",  # loopback: the platform's own Redis
        "http://localhost:11434",  # a name for loopback
        "http://2130706433/",  # 127.0.0.1 written as one number
        "http://[::1]:8080",
        "http://[::ffff:127.0.0.1]:8080",  # loopback inside an IPv4-mapped IPv6 address
        "http://10.0.0.5:11434",
        "http://192.168.1.10",
        "http://0.0.0.0:8000",
    ],
)
@NO_PRIVATE
def test_non_public_addresses_are_refused_when_saved(url: str) -> None:
    assert "private" in base_url_problem(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://models.example.com/v1?",  # a trailing ? lets the caller choose the path
        "https://models.example.com/v1#",
        "https://models.example.com/v1/../../admin",
        "https://user@models.example.com/v1",
        "https://models.example.com/v1%2F..%2Fadmin",
        "https://models .example.com/v1",
        "ftp://models.example.com/v1",
    ],
)
def test_urls_that_let_the_caller_steer_the_request_are_refused(url: str) -> None:
    assert base_url_problem(url) != ""


@pytest.mark.django_db
@NO_PRIVATE
def test_a_manager_cannot_point_the_assistant_at_the_metadata_service(
    tenant_a: TenantHandle,
) -> None:
    response = client_as(tenant_a, "manager").patch(
        SETTINGS,
        {"provider": "ollama", "base_url": "http://169.254.169.254", "model": "phi3:mini"},
        format="json",
    )

    assert response.status_code == 400
    assert "base_url" in response.json()["errors"]


def test_the_connect_refuses_a_private_address_whatever_was_saved(
    server: FakeModelServer,
) -> None:
    """Saved while allowed (or a name that resolved elsewhere then): checked again at connect."""
    client = OllamaClient(base_url=server.url, model="phi3:mini")
    server.script(Reply(body={"message": {"content": "hola"}, "done": True}))

    with NO_PRIVATE, pytest.raises(ProviderError, match=r"not allowed|private"):
        client.chat(ChatRequest(messages=MESSAGES, timeout=2))

    assert server.requests == []


def test_an_operator_allowed_private_server_is_reached(server: FakeModelServer) -> None:
    server.script(Reply(body={"message": {"content": "hola"}, "done": True}))

    with override_settings(DYSA_LLM_PRIVATE_ALLOWED=["127.0.0.0/8"]):
        result = OllamaClient(base_url=server.url, model="m").chat(
            ChatRequest(messages=MESSAGES, timeout=2)
        )

    assert result.content == "hola"
    assert len(server.requests) == 1


def test_a_streamed_answer_is_capped_in_bytes(server: FakeModelServer) -> None:
    chunk = '{"message": {"content": "' + "x" * 60_000 + '"}, "done": false}'
    server.script(
        Reply(
            stream=[chunk] * (MAX_RESPONSE_BYTES // 60_000 + 5),
            content_type="application/x-ndjson",
        )
    )

    with pytest.raises(ProviderError, match="too large"):
        OllamaClient(base_url=server.url, model="m").chat(
            ChatRequest(messages=MESSAGES, stream=True, timeout=10)
        )


def test_one_endless_streamed_line_is_capped_too(server: FakeModelServer) -> None:
    server.script(
        Reply(stream=["x" * (MAX_RESPONSE_BYTES + 10)], content_type="application/x-ndjson")
    )

    with pytest.raises(ProviderError, match="too large"):
        OllamaClient(base_url=server.url, model="m").chat(
            ChatRequest(messages=MESSAGES, stream=True, timeout=10)
        )


@pytest.mark.django_db
def test_slow_but_valid_answers_open_the_circuit(
    tenant_a: TenantHandle, server: FakeModelServer
) -> None:
    from tests.tenant_apps.assistant.test_llm_turns import ollama_json, start_chat

    owner = client_as(tenant_a, "owner")
    response = owner.patch(
        SETTINGS,
        {
            "provider": "ollama",
            "base_url": server.url,
            "model": "phi3:mini",
            "tool_mode": "json",
            "timeout_seconds": 1.0,
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    slow = [ollama_json("smalltalk", "¡Hola!") for _ in range(breaker.FAILURE_THRESHOLD)]
    for reply in slow:
        reply.delay = 0.85  # valid, just inside the 1 s timeout
    server.script(*slow)
    chat = start_chat(tenant_a)

    for _ in range(breaker.FAILURE_THRESHOLD + 1):
        chat.say("hola")

    # The circuit opened: the last turn did not wait on the model at all.
    assert len(server.requests) == breaker.FAILURE_THRESHOLD
    with schema_context(tenant_a.schema_name):
        from tenant_apps.assistant.models import ModelCall

        assert ModelCall.objects.order_by("-id").first().outcome == "skipped"  # type: ignore[union-attr]
