"""The public web chat API: sessions, messages, polling, CORS, limits, tenant isolation."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from core.db import use_public_schema, use_tenant
from tenant_apps.conversations.models import Conversation, Message
from tenant_apps.conversations.services import conversation_reply
from tenant_apps.messaging.services import webchat_settings_update
from tests.actors import TEST_ACTOR
from tests.tenant_apps.conversations.factories import staff_user
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db

SESSIONS = "/api/v1/chat/sessions/"
MESSAGES = "/api/v1/chat/messages/"


@pytest.fixture(autouse=True)
def _fresh_throttles() -> None:
    cache.clear()


def _session(client: APIClient, **body: str) -> dict[str, Any]:
    response = client.post(SESSIONS, body, format="json")
    assert response.status_code == 201, response.content
    return response.json()  # type: ignore[no-any-return]


def _bearer(client: APIClient, token: object) -> APIClient:
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_starting_a_session_returns_a_conversation_and_a_token(client_a: APIClient) -> None:
    body = _session(client_a, language="en")

    assert isinstance(body["conversation"], int)
    assert isinstance(body["token"], str)


def test_a_session_defaults_to_the_restaurants_language(
    client_a: APIClient, tenant_a: TenantHandle
) -> None:
    body = _session(client_a)

    use_tenant(tenant_a.restaurant)
    assert Conversation.objects.get(pk=body["conversation"]).language == "es"


def test_an_unknown_language_is_a_400(client_a: APIClient) -> None:
    response = client_a.post(SESSIONS, {"language": "fr"}, format="json")

    assert response.status_code == 400
    assert "language" in response.json()["errors"]


def test_posting_a_message_records_it_and_returns_the_replies(client_a: APIClient) -> None:
    client = _bearer(client_a, _session(client_a)["token"])

    response = client.post(MESSAGES, {"text": "hola"}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["message"]["sender"] == "customer"
    assert body["message"]["text"] == "hola"
    assert len(body["replies"]) >= 1
    assert all(reply["sender"] == "bot" for reply in body["replies"])


def test_polling_lists_messages_after_a_cursor(client_a: APIClient) -> None:
    client = _bearer(client_a, _session(client_a)["token"])
    first = client.post(MESSAGES, {"text": "hola"}, format="json").json()

    everything = client.get(MESSAGES).json()
    newer = client.get(f"{MESSAGES}?after={first['message']['id']}").json()

    assert everything["results"][0]["id"] == first["message"]["id"]
    assert first["message"]["id"] not in [m["id"] for m in newer["results"]]
    assert everything["status"] == "bot"


def test_a_staff_reply_shows_up_when_polling(client_a: APIClient, tenant_a: TenantHandle) -> None:
    session = _session(client_a)
    client = _bearer(client_a, session["token"])
    client.post(MESSAGES, {"text": "quiero hablar con una persona"}, format="json")
    use_tenant(tenant_a.restaurant)
    conversation = Conversation.objects.get(pk=session["conversation"])
    conversation_reply(
        actor=TEST_ACTOR, conversation=conversation, staff=staff_user(), text="¡Hola! Soy Lucía"
    )
    use_public_schema()

    messages = client.get(MESSAGES).json()["results"]

    assert messages[-1]["sender"] == "staff"
    assert messages[-1]["text"] == "¡Hola! Soy Lucía"


def test_the_bot_stays_silent_while_staff_own_the_conversation(
    client_a: APIClient, tenant_a: TenantHandle
) -> None:
    session = _session(client_a)
    use_tenant(tenant_a.restaurant)
    conversation = Conversation.objects.get(pk=session["conversation"])
    conversation_reply(actor=TEST_ACTOR, conversation=conversation, staff=staff_user(), text="Hola")
    use_public_schema()
    client = _bearer(client_a, session["token"])

    body = client.post(MESSAGES, {"text": "hola"}, format="json").json()

    assert body["replies"] == []


@pytest.mark.parametrize("text", ["", "   ", "x" * 2001, "x" * 10_240])
def test_empty_whitespace_and_oversized_messages_are_rejected_clearly(
    client_a: APIClient, tenant_a: TenantHandle, text: str
) -> None:
    client = _bearer(client_a, _session(client_a)["token"])

    response = client.post(MESSAGES, {"text": text}, format="json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"]["text"]
    use_tenant(tenant_a.restaurant)
    assert not Message.objects.filter(text=text).exists()


def test_a_too_long_message_says_the_limit(client_a: APIClient) -> None:
    client = _bearer(client_a, _session(client_a)["token"])

    response = client.post(MESSAGES, {"text": "x" * 2001}, format="json")

    assert "2,000 characters" in response.json()["errors"]["text"][0]


@pytest.mark.parametrize("body", ['{"text": 5}', "[1, 2]", "not json", '{"texto": "hola"}'])
def test_malformed_bodies_are_400s(client_a: APIClient, body: str) -> None:
    client = _bearer(client_a, _session(client_a)["token"])

    response = client.generic("POST", MESSAGES, body, content_type="application/json")

    assert response.status_code == 400


def test_messages_need_a_token(client_a: APIClient) -> None:
    assert client_a.post(MESSAGES, {"text": "hola"}, format="json").status_code in {401, 403}
    assert client_a.get(MESSAGES).status_code in {401, 403}


def test_a_forged_token_is_a_401(client_a: APIClient) -> None:
    response = _bearer(client_a, "eyJhbGciOiJIUzI1NiJ9.e30.bad").get(MESSAGES)

    assert response.status_code == 401


def test_a_token_from_another_restaurant_is_refused(
    client_a: APIClient, client_b: APIClient
) -> None:
    token_a = _session(client_a)["token"]

    response = _bearer(client_b, token_a).get(MESSAGES)

    assert response.status_code == 401


def test_a_visitor_token_is_not_a_staff_token(client_a: APIClient) -> None:
    token = _session(client_a)["token"]

    response = _bearer(client_a, token).get("/api/v1/conversations/")

    assert response.status_code in {401, 403}


def test_cors_allows_the_configured_origin_only(
    client_a: APIClient, tenant_a: TenantHandle
) -> None:
    use_tenant(tenant_a.restaurant)
    webchat_settings_update(actor=TEST_ACTOR, allowed_origins=["https://tacos-alfa.example"])
    use_public_schema()

    preflight = client_a.options(
        SESSIONS,
        HTTP_ORIGIN="https://tacos-alfa.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )
    allowed = client_a.post(SESSIONS, {}, format="json", HTTP_ORIGIN="https://tacos-alfa.example")
    refused = client_a.post(SESSIONS, {}, format="json", HTTP_ORIGIN="https://evil.example")

    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "https://tacos-alfa.example"
    assert "Authorization" in preflight["Access-Control-Allow-Headers"]
    assert allowed.status_code == 201
    assert allowed["Access-Control-Allow-Origin"] == "https://tacos-alfa.example"
    assert refused.status_code == 403
    assert "Access-Control-Allow-Origin" not in refused


def test_the_restaurants_own_host_is_always_an_allowed_origin(
    client_a: APIClient, tenant_a: TenantHandle
) -> None:
    response = client_a.post(
        SESSIONS, {}, format="json", HTTP_ORIGIN=f"http://{tenant_a.host}:8000"
    )

    assert response.status_code == 201


def test_session_creation_is_throttled(client_a: APIClient) -> None:
    statuses = [client_a.post(SESSIONS, {}, format="json").status_code for _ in range(12)]

    assert statuses[:10] == [201] * 10
    assert statuses[-1] == 429


def test_messages_are_throttled_per_conversation(client_a: APIClient) -> None:
    client = _bearer(client_a, _session(client_a)["token"])

    statuses = [
        client.post(MESSAGES, {"text": "hola"}, format="json").status_code for _ in range(31)
    ]

    assert statuses[-1] == 429
    assert statuses[:30].count(201) == 30


def test_a_disabled_chat_refuses_new_sessions(client_a: APIClient, tenant_a: TenantHandle) -> None:
    use_tenant(tenant_a.restaurant)
    webchat_settings_update(actor=TEST_ACTOR, enabled=False)
    use_public_schema()

    assert client_a.post(SESSIONS, {}, format="json").status_code == 403


def test_staff_manage_the_allowed_origins(client_a: APIClient, tenant_a: TenantHandle) -> None:
    use_tenant(tenant_a.restaurant)
    owner = staff_user(email="boss@alpha.example", role="owner")
    use_public_schema()
    client_a.force_authenticate(owner)

    ok = client_a.patch(
        "/api/v1/chat/settings/", {"allowed_origins": ["https://Tacos.example/"]}, format="json"
    )
    bad = client_a.patch(
        "/api/v1/chat/settings/", {"allowed_origins": ["javascript:alert(1)"]}, format="json"
    )

    assert ok.json()["allowed_origins"] == ["https://tacos.example"]
    assert bad.status_code == 400


def test_widget_script_is_served_with_the_restaurant_config(client_a: APIClient) -> None:
    response = client_a.get("/widget.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    body = response.content.decode()
    assert '"name": "Taquería Alfa"' in body
    assert "/api/v1/chat/sessions/" in body
    assert "innerHTML" not in body
