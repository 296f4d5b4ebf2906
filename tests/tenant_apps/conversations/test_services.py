"""Conversation ownership: bot, waiting for a human, human, closed; messages in and out."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.db import IntegrityError

from core.api_errors import Conflict
from tenant_apps.conversations import services
from tenant_apps.conversations.models import Conversation, Message
from tests.actors import TEST_ACTOR
from tests.tenant_apps.conversations.factories import staff_user, web_conversation

pytestmark = pytest.mark.usefixtures("in_tenant_a")


def test_customer_message_updates_the_last_customer_message_time() -> None:
    conversation = web_conversation()

    message = services.message_receive(conversation=conversation, text="hola")

    conversation.refresh_from_db()
    assert message.sender == Message.Sender.CUSTOMER
    assert message.direction == Message.Direction.INBOUND
    assert conversation.last_customer_message_at is not None


def test_taking_over_assigns_the_staff_member_and_says_so() -> None:
    conversation = web_conversation(language="en")
    staff = staff_user(full_name="Lucía")

    services.conversation_take_over(actor=TEST_ACTOR, conversation=conversation, staff=staff)

    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.HUMAN
    assert conversation.assigned_to_id == staff.pk
    assert conversation.messages.get().text == "Lucía joined the conversation."


def test_the_customer_is_told_in_the_conversations_language() -> None:
    conversation = web_conversation(language="es")

    services.conversation_take_over(
        actor=TEST_ACTOR, conversation=conversation, staff=staff_user(full_name="")
    )
    services.conversation_hand_back(actor=TEST_ACTOR, conversation=conversation)

    texts = [message.text for message in conversation.messages.order_by("id")]
    assert texts == [
        "El equipo se ha unido a la conversación.",
        "El asistente vuelve a responder.",
    ]


def test_staff_reply_takes_over_a_bot_conversation() -> None:
    conversation = web_conversation()
    staff = staff_user()

    reply = services.conversation_reply(
        actor=TEST_ACTOR, conversation=conversation, staff=staff, text=" Hola! "
    )

    conversation.refresh_from_db()
    assert reply.sender == Message.Sender.STAFF
    assert reply.text == "Hola!"
    assert conversation.status == Conversation.Status.HUMAN


def test_handing_back_returns_the_conversation_to_the_bot() -> None:
    conversation = web_conversation()
    services.conversation_take_over(actor=TEST_ACTOR, conversation=conversation, staff=staff_user())

    services.conversation_hand_back(actor=TEST_ACTOR, conversation=conversation)

    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.BOT
    assert conversation.assigned_to is None


def test_a_closed_conversation_cannot_be_taken_over() -> None:
    conversation = web_conversation()
    services.conversation_close(actor=TEST_ACTOR, conversation=conversation)

    with pytest.raises(Conflict):
        services.conversation_take_over(
            actor=TEST_ACTOR, conversation=conversation, staff=staff_user()
        )


def test_a_customer_writing_again_reopens_a_closed_conversation_with_the_bot() -> None:
    conversation = web_conversation()
    services.conversation_close(actor=TEST_ACTOR, conversation=conversation)

    services.message_receive(conversation=conversation, text="hola otra vez")

    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.BOT


def test_requesting_a_human_only_moves_a_bot_conversation_to_waiting() -> None:
    conversation = web_conversation()

    services.conversation_request_human(conversation=conversation)

    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.WAITING


def test_provider_message_ids_are_unique_per_channel() -> None:
    conversation = web_conversation()
    services.message_receive(conversation=conversation, text="a", provider_message_id="wamid.1")

    with pytest.raises(IntegrityError):
        services.message_receive(conversation=conversation, text="b", provider_message_id="wamid.1")


def test_token_usage_accumulates_per_conversation() -> None:
    conversation = web_conversation()

    services.conversation_add_llm_usage(
        conversation=conversation, prompt_tokens=100, completion_tokens=20
    )
    services.conversation_add_llm_usage(
        conversation=conversation, prompt_tokens=50, completion_tokens=5
    )

    conversation.refresh_from_db()
    assert (conversation.llm_prompt_tokens, conversation.llm_completion_tokens) == (150, 25)


def test_several_replies_are_recorded_in_order_at_once() -> None:
    conversation = web_conversation()

    sent = services.messages_send(conversation=conversation, texts=["uno", "dos", "tres"])

    conversation.refresh_from_db()
    stored = list(conversation.messages.order_by("id"))
    assert [m.pk for m in stored] == [m.pk for m in sent]
    assert [m.text for m in stored] == ["uno", "dos", "tres"]
    assert {m.sender for m in stored} == {Message.Sender.BOT}
    assert conversation.last_message_at is not None


def test_a_waiting_customer_taking_the_request_back_returns_it_to_the_bot(
    caplog: pytest.LogCaptureFixture, django_capture_on_commit_callbacks: Any
) -> None:
    conversation = web_conversation()
    services.conversation_request_human(conversation=conversation)

    with (
        caplog.at_level(logging.INFO, logger="audit"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.conversation_withdraw_human_request(conversation=conversation)

    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.BOT
    logged = [
        r for r in caplog.records if r.getMessage() == "customer withdrew the request for a person"
    ]
    assert [r.conversation_id for r in logged] == [conversation.pk]  # type: ignore[attr-defined]


def test_taking_the_request_back_leaves_a_conversation_staff_took_over_with_them() -> None:
    conversation = web_conversation()
    services.conversation_request_human(conversation=conversation)
    staff = staff_user()
    services.conversation_take_over(
        actor=TEST_ACTOR, conversation=Conversation.objects.get(pk=conversation.pk), staff=staff
    )

    services.conversation_withdraw_human_request(conversation=conversation)

    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.HUMAN
    assert conversation.assigned_to_id == staff.pk
