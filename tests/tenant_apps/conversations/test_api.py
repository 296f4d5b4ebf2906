"""Staff API over conversations: list, read, take over, reply, hand back, close."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from core.db import use_public_schema, use_tenant
from tenant_apps.audit.models import AuditEntry
from tenant_apps.conversations.models import Conversation
from tenant_apps.conversations.services import conversation_request_human, message_receive
from tenant_apps.messaging.services import webchat_message_post
from tenant_apps.staff.services import role_update
from tests.actors import TEST_ACTOR
from tests.tenant_apps.conversations.factories import staff_user, web_conversation
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db


def _as(client: APIClient, tenant: TenantHandle, *, role: str = "staff") -> tuple[APIClient, int]:
    use_tenant(tenant.restaurant)
    user = staff_user(email=f"{role}@{tenant.restaurant.slug}.example", role=role)
    conversation = web_conversation()
    message_receive(conversation=conversation, text="<b>hola</b>")
    use_public_schema()
    client.force_authenticate(user)
    return client, conversation.pk


def test_staff_list_conversations_filtered_by_status(
    client_a: APIClient, tenant_a: TenantHandle
) -> None:
    client, conversation_id = _as(client_a, tenant_a)

    listed = client.get("/api/v1/conversations/?status=bot").json()
    waiting = client.get("/api/v1/conversations/?status=waiting").json()

    assert conversation_id in [row["id"] for row in listed["results"]]
    assert conversation_id not in [row["id"] for row in waiting["results"]]


def test_an_unknown_status_filter_is_a_400(client_a: APIClient, tenant_a: TenantHandle) -> None:
    client, _ = _as(client_a, tenant_a)

    response = client.get("/api/v1/conversations/?status=bogus")

    assert response.status_code == 400
    assert "status" in response.json()["errors"]


def test_staff_read_a_conversation_with_its_messages_verbatim(
    client_a: APIClient, tenant_a: TenantHandle
) -> None:
    client, conversation_id = _as(client_a, tenant_a)

    body = client.get(f"/api/v1/conversations/{conversation_id}/").json()

    assert body["messages"][0]["text"] == "<b>hola</b>"  # JSON carries data; displays escape it


def test_take_over_reply_hand_back_and_close(client_a: APIClient, tenant_a: TenantHandle) -> None:
    client, conversation_id = _as(client_a, tenant_a)
    base = f"/api/v1/conversations/{conversation_id}"

    assert client.post(f"{base}/take-over/").json()["status"] == "human"
    reply = client.post(f"{base}/reply/", {"text": "Hola, soy Lucía"}, format="json")
    assert reply.status_code == 201
    assert reply.json()["sender"] == "staff"
    assert client.post(f"{base}/hand-back/").json()["status"] == "bot"
    assert client.post(f"{base}/close/").json()["status"] == "closed"
    assert client.post(f"{base}/take-over/").status_code == 409


def test_an_empty_or_too_long_reply_is_a_400(client_a: APIClient, tenant_a: TenantHandle) -> None:
    client, conversation_id = _as(client_a, tenant_a)

    blank = client.post(
        f"/api/v1/conversations/{conversation_id}/reply/", {"text": "  "}, format="json"
    )
    long = client.post(
        f"/api/v1/conversations/{conversation_id}/reply/", {"text": "x" * 2001}, format="json"
    )

    assert blank.status_code == 400
    assert long.status_code == 400
    assert "text" in long.json()["errors"]


def test_a_viewer_may_read_but_not_reply(client_a: APIClient, tenant_a: TenantHandle) -> None:
    client, conversation_id = _as(client_a, tenant_a, role="viewer")

    assert client.get(f"/api/v1/conversations/{conversation_id}/").status_code == 200
    assert client.post(f"/api/v1/conversations/{conversation_id}/take-over/").status_code == 403


def test_anonymous_requests_are_refused(client_a: APIClient) -> None:
    assert client_a.get("/api/v1/conversations/").status_code in {401, 403}


def test_another_restaurants_conversation_is_a_404(
    client_a: APIClient, tenant_a: TenantHandle, client_b: APIClient, tenant_b: TenantHandle
) -> None:
    _, conversation_id = _as(client_a, tenant_a)
    client, _ = _as(client_b, tenant_b)
    use_tenant(tenant_b.restaurant)
    Conversation.objects.filter(pk=conversation_id).delete()
    use_public_schema()

    assert client.get(f"/api/v1/conversations/{conversation_id}/").status_code == 404
    assert client.post(f"/api/v1/conversations/{conversation_id}/close/").status_code == 404


def test_a_customer_asking_for_a_person_waits_in_the_staff_queue_and_is_logged(
    client_a: APIClient,
    tenant_a: TenantHandle,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client, _ = _as(client_a, tenant_a)
    use_tenant(tenant_a.restaurant)
    asking = web_conversation()
    with (
        caplog.at_level(logging.INFO, logger="audit"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        webchat_message_post(conversation=asking, text="quiero hablar con una persona")
    use_public_schema()

    waiting = client.get("/api/v1/conversations/?status=waiting&ordering=last_customer_message_at")

    assert waiting.status_code == 200
    assert [row["id"] for row in waiting.json()["results"]] == [asking.pk]
    logged = [r for r in caplog.records if r.getMessage() == "customer asked for a person"]
    assert [r.conversation_id for r in logged] == [asking.pk]  # type: ignore[attr-defined]


def test_taking_over_and_handing_back_are_in_the_audit_log(
    client_a: APIClient, tenant_a: TenantHandle
) -> None:
    client, conversation_id = _as(client_a, tenant_a)

    client.post(f"/api/v1/conversations/{conversation_id}/take-over/")
    client.post(f"/api/v1/conversations/{conversation_id}/hand-back/")

    use_tenant(tenant_a.restaurant)
    entries = AuditEntry.objects.filter(target_id=str(conversation_id)).order_by("id")
    assert [(e.action, e.after) for e in entries] == [
        ("conversations.conversation.take_over", {"status": "human"}),
        ("conversations.conversation.hand_back", {"status": "bot"}),
    ]


def test_what_a_role_may_do_with_chats_follows_the_restaurants_role_settings(
    client_a: APIClient, tenant_a: TenantHandle
) -> None:
    client, conversation_id = _as(client_a, tenant_a, role="staff")
    use_tenant(tenant_a.restaurant)
    role_update(
        actor=TEST_ACTOR, code="staff", permissions=["conversations.view", "conversations.handoff"]
    )
    use_public_schema()

    reply = client.post(
        f"/api/v1/conversations/{conversation_id}/reply/", {"text": "hola"}, format="json"
    )
    take_over = client.post(f"/api/v1/conversations/{conversation_id}/take-over/")

    assert reply.status_code == 403
    assert take_over.status_code == 200


def _conversation_queries(client: APIClient, path: str) -> list[str]:
    """The queries on conversation tables one GET makes."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return [q["sql"] for q in queries.captured_queries if "conversations_" in q["sql"]]


def test_staff_reads_are_cached_and_follow_writes_made_outside_the_api(
    client_a: APIClient, tenant_a: TenantHandle
) -> None:
    client, conversation_id = _as(client_a, tenant_a)
    detail = f"/api/v1/conversations/{conversation_id}/"
    client.get("/api/v1/conversations/")
    client.get(detail)
    repeated = [
        *_conversation_queries(client, "/api/v1/conversations/"),
        *_conversation_queries(client, detail),
    ]
    # The customer writes and asks for a person, through the chat (not the staff API).
    use_tenant(tenant_a.restaurant)
    conversation = Conversation.objects.get(pk=conversation_id)
    webchat_message_post(conversation=conversation, text="quiero hablar con una persona")
    conversation_request_human(conversation=Conversation.objects.get(pk=conversation_id))
    use_public_schema()

    shown = client.get(detail).json()
    waiting = client.get("/api/v1/conversations/?status=waiting").json()

    assert repeated == []
    assert "quiero hablar con una persona" in [m["text"] for m in shown["messages"]]
    assert shown["status"] == "waiting"
    assert [row["id"] for row in waiting["results"]] == [conversation_id]
