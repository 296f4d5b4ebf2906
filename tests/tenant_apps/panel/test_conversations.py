"""The conversations inbox: filter, thread with the customer's context, take over, reply,
hand back and close through the conversations services, with the API's permissions."""

from __future__ import annotations

import re

import pytest
from django_tenants.utils import schema_context

from tenant_apps.conversations.models import Conversation, Message
from tenant_apps.conversations.services import (
    conversation_request_human,
    conversation_start,
    message_receive,
)
from tenant_apps.staff.services import role_update
from tests.actors import TEST_ACTOR
from tests.tenant_apps.customers.factories import make_customer
from tests.tenant_apps.orders.factories import make_order
from tests.tenant_apps.panel.conftest import panel_client
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db


def _waiting_conversation(
    handle: TenantHandle, text: str = "quiero hablar con alguien"
) -> Conversation:
    with schema_context(handle.schema_name):
        customer = make_customer()
        make_order(customer=customer)
        conversation = conversation_start(channel="web", customer_id=customer.pk)
        message_receive(conversation=conversation, text=text)
        return conversation_request_human(conversation=conversation)


def test_the_inbox_filters_by_status_and_counts_who_waits(tenant_a: TenantHandle) -> None:
    waiting = _waiting_conversation(tenant_a)
    with schema_context(tenant_a.schema_name):
        with_bot = conversation_start(channel="whatsapp")
    client, _ = panel_client(tenant_a, "viewer")
    everything = client.get("/panel/conversations/")
    assert f'data-conversation="{waiting.pk}"' in everything.text
    assert f'data-conversation="{with_bot.pk}"' in everything.text
    only_waiting = client.get("/panel/conversations/?status=waiting")
    assert f'data-conversation="{waiting.pk}"' in only_waiting.text
    assert f'data-conversation="{with_bot.pk}"' not in only_waiting.text
    assert re.search(r'data-live-count="[1-9]', only_waiting.text)


def test_the_thread_shows_messages_and_the_customers_orders(tenant_a: TenantHandle) -> None:
    conversation = _waiting_conversation(tenant_a, "¿tenéis mesa?")
    client, _ = panel_client(tenant_a, "staff")
    page = client.get(f"/panel/conversations/{conversation.pk}/")
    assert "¿tenéis mesa?" in page.text
    assert 'class="flash"' not in page.text  # the thread is not mistaken for flash messages
    assert "/panel/orders/" in page.text.split('id="ctx-h"')[1]


def test_staff_take_over_reply_hand_back_and_close(tenant_a: TenantHandle) -> None:
    conversation = _waiting_conversation(tenant_a)
    client, user = panel_client(tenant_a, "staff")
    base = f"/panel/conversations/{conversation.pk}"
    assert client.post(f"{base}/take-over/").status_code == 302
    with schema_context(tenant_a.schema_name):
        conversation.refresh_from_db()
    assert (conversation.status, conversation.assigned_to_id) == ("human", user.pk)
    assert client.post(f"{base}/reply/", {"text": "¡Hola! Soy Marta."}).status_code == 302
    with schema_context(tenant_a.schema_name):
        assert Message.objects.filter(conversation=conversation, sender="staff").get().text == (
            "¡Hola! Soy Marta."
        )
    assert client.post(f"{base}/hand-back/").status_code == 302
    assert client.post(f"{base}/close/").status_code == 302
    with schema_context(tenant_a.schema_name):
        conversation.refresh_from_db()
    assert conversation.status == "closed"


def test_an_empty_reply_is_refused_next_to_the_field(tenant_a: TenantHandle) -> None:
    conversation = _waiting_conversation(tenant_a)
    client, _ = panel_client(tenant_a, "staff")
    response = client.post(f"/panel/conversations/{conversation.pk}/reply/", {"text": "   "})
    assert response.status_code == 400
    assert 'id="reply-error"' in response.text


def test_a_viewer_cannot_take_over_or_reply(tenant_a: TenantHandle) -> None:
    conversation = _waiting_conversation(tenant_a)
    client, _ = panel_client(tenant_a, "viewer")
    page = client.get(f"/panel/conversations/{conversation.pk}/")
    assert "take-over" not in page.text
    assert 'id="reply-form"' not in page.text
    base = f"/panel/conversations/{conversation.pk}"
    assert client.post(f"{base}/take-over/").status_code == 403
    assert client.post(f"{base}/reply/", {"text": "hola"}).status_code == 403
    with schema_context(tenant_a.schema_name):
        conversation.refresh_from_db()
    assert conversation.status == "waiting"


def test_the_thread_poll_answers_only_when_something_changed(tenant_a: TenantHandle) -> None:
    conversation = _waiting_conversation(tenant_a)
    client, _ = panel_client(tenant_a, "staff")
    page = client.get(f"/panel/conversations/{conversation.pk}/")
    found = re.search(r'hx-get="(/panel/conversations/\d+/thread/\?v=[^"]+)"', page.text)
    assert found is not None
    poll = found.group(1).replace("&amp;", "&")
    assert client.get(poll).status_code == 204
    with schema_context(tenant_a.schema_name):
        message_receive(conversation=conversation, text="¿sigue ahí?")
    assert "¿sigue ahí?" in client.get(poll).text


def test_every_page_announces_a_conversation_waiting_for_a_person(
    tenant_a: TenantHandle,
) -> None:
    client, _ = panel_client(tenant_a, "viewer")
    quiet = client.get("/panel/menu/")
    assert 'id="waiting-badge" data-live-count="0"' in quiet.text
    assert 'id="panel-announcer"' in quiet.text
    _waiting_conversation(tenant_a)
    menu = client.get("/panel/menu/")
    assert 'id="waiting-badge" data-live-count="1"' in menu.text
    # The badge polls like the board: the new count arrives on any page without reload.
    poll = client.get("/panel/conversations/waiting/", HTTP_HX_REQUEST="true")
    assert poll.status_code == 200
    assert 'data-live-count="1"' in poll.text
    assert 'data-live-key="waiting"' in poll.text


def test_a_role_without_conversations_sees_no_waiting_badge(tenant_a: TenantHandle) -> None:
    with schema_context(tenant_a.schema_name):
        role_update(actor=TEST_ACTOR, code="viewer", permissions=["menu.view"])
    _waiting_conversation(tenant_a)
    client, _ = panel_client(tenant_a, "viewer")
    menu = client.get("/panel/menu/")
    assert menu.status_code == 200
    assert "waiting-badge" not in menu.text
    assert client.get("/panel/conversations/waiting/").status_code == 403
