"""Writes to conversations: messages in and out, and who owns the conversation.

While a human owns a conversation (status `human`) or one has been asked for (`waiting`),
the assistant stays silent; handing back to the bot resumes it. A customer writing to a
closed conversation reopens it with the assistant.

Every write here bumps the `conversations` cache (the staff API's reads, 30 s).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.actors import Actor
from core.api_errors import Conflict
from core.cache import invalidate
from shared_apps.accounts.models import User
from tenant_apps.audit.services import audit_record
from tenant_apps.conversations.channels import channel_delivery_for
from tenant_apps.conversations.models import Channel, Conversation, Message
from tenant_apps.conversations.selectors import conversation_beyond_quota

MAX_TEXT_LENGTH = 2000
audit = logging.getLogger("audit")

Status = Conversation.Status
Sender = Message.Sender

# What the customer sees when people come and go, in the conversation's language.
_SYSTEM_TEXTS = {
    "joined": {
        "es": "{name} se ha unido a la conversación.",
        "en": "{name} joined the conversation.",
    },
    "someone": {"es": "El equipo", "en": "Staff"},
    "bot_again": {
        "es": "El asistente vuelve a responder.",
        "en": "The assistant is answering again.",
    },
    # The plan's monthly assistant conversations are used up: a person takes this one.
    "quota_handoff": {
        "es": "¡Hola! Gracias por escribirnos. Una persona de nuestro equipo te atenderá en "
        "cuanto pueda; déjanos aquí tu mensaje.",
        "en": "Hi, thanks for writing to us! A member of our team will answer you as soon as "
        "they can; please leave your message here.",
    },
}


def _system_text(conversation: Conversation, key: str, **values: str) -> str:
    texts = _SYSTEM_TEXTS[key]
    return texts.get(conversation.language, texts["en"]).format(**values)


def _touch(conversation: Conversation, *, customer: bool) -> None:
    now = timezone.now()
    conversation.last_message_at = now
    fields = ["last_message_at", "updated"]
    if customer:
        conversation.last_customer_message_at = now
        fields.append("last_customer_message_at")
    conversation.save(update_fields=fields)
    invalidate("conversations")


@transaction.atomic
def conversation_start(
    *,
    channel: str,
    language: str = Conversation.Language.SPANISH,
    external_id: str = "",
    customer_id: int | None = None,
) -> Conversation:
    if channel not in Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    if language not in Conversation.Language.values:
        language = Conversation.Language.SPANISH
    conversation = Conversation.objects.create(
        channel=channel, language=language, external_id=external_id, customer_id=customer_id
    )
    invalidate("conversations")
    if conversation_beyond_quota(conversation=conversation):
        _hand_to_staff_over_quota(conversation)
    return conversation


def _hand_to_staff_over_quota(conversation: Conversation) -> None:
    """Beyond the plan's monthly assistant conversations, staff answer new ones: the customer
    is told politely and the conversation waits for a person (staff see a banner)."""
    _set_status(conversation, Status.WAITING, assigned_to=None)
    messages_send(
        conversation=conversation,
        texts=[_system_text(conversation, "quota_handoff")],
        sender=Sender.SYSTEM,
    )
    extra = {"conversation_id": conversation.pk, "channel": conversation.channel}
    transaction.on_commit(
        lambda: audit.info("conversation handed to staff: plan quota reached", extra=extra)
    )


@transaction.atomic
def message_receive(
    *, conversation: Conversation, text: str, provider_message_id: str = ""
) -> Message:
    """Record what the customer wrote; a closed conversation comes back to the assistant."""
    if conversation.status == Status.CLOSED:
        conversation.status = Status.BOT
        conversation.assigned_to = None
        conversation.save(update_fields=["status", "assigned_to", "updated"])
    message = Message.objects.create(
        conversation=conversation,
        channel=conversation.channel,
        direction=Message.Direction.INBOUND,
        sender=Sender.CUSTOMER,
        text=text,
        provider_message_id=provider_message_id,
        delivery_status=Message.Delivery.RECEIVED,
    )
    _touch(conversation, customer=True)
    return message


# No savepoint of its own when nested: a failure here fails the caller's whole unit of work.
@transaction.atomic(savepoint=False)
def messages_send(
    *,
    conversation: Conversation,
    texts: Sequence[str],
    sender: str = Sender.BOT,
    staff: User | None = None,
) -> list[Message]:
    """Record messages to the customer, in order (the channel delivers them; web chat polls).

    One INSERT for all of them: an assistant turn often answers with two or three.
    """
    if sender == Sender.CUSTOMER:
        raise ValueError("customer messages are received, not sent")
    if not texts:
        return []
    delivery = (
        Message.Delivery.SENT if conversation.channel == Channel.WEB else Message.Delivery.PENDING
    )
    messages = Message.objects.bulk_create(
        [
            Message(
                conversation=conversation,
                channel=conversation.channel,
                direction=Message.Direction.OUTBOUND,
                sender=sender,
                staff=staff,
                text=text,
                delivery_status=delivery,
            )
            for text in texts
        ]
    )
    _touch(conversation, customer=False)
    channel_delivery = channel_delivery_for(conversation.channel)
    if channel_delivery is not None:
        channel_delivery.deliver(conversation, messages)
    return messages


def message_send(
    *,
    conversation: Conversation,
    text: str,
    sender: str = Sender.BOT,
    staff: User | None = None,
) -> Message:
    """Record one message to the customer."""
    return messages_send(conversation=conversation, texts=[text], sender=sender, staff=staff)[0]


def _set_status(conversation: Conversation, status: str, *, assigned_to: User | None) -> None:
    conversation.status = status
    conversation.assigned_to = assigned_to
    conversation.save(update_fields=["status", "assigned_to", "updated"])
    invalidate("conversations")


@transaction.atomic
def conversation_request_human(*, conversation: Conversation) -> Conversation:
    """The customer asked for a person: the assistant goes silent until staff hand it back.

    Staff find these with `GET /api/v1/conversations/?status=waiting`; the audit log line
    lets alerting pick them up.
    """
    if conversation.status == Status.BOT:
        _set_status(conversation, Status.WAITING, assigned_to=None)
        extra = {"conversation_id": conversation.pk, "channel": conversation.channel}
        transaction.on_commit(lambda: audit.info("customer asked for a person", extra=extra))
    return conversation


@transaction.atomic
def conversation_withdraw_human_request(*, conversation: Conversation) -> Conversation:
    """The customer, still waiting for a person, would rather carry on with the assistant.

    Only a `waiting` conversation goes back to the bot: once a staff member has taken it over
    (`human`), it stays theirs until they hand it back. The row is locked so a take-over
    racing this message wins or loses whole.
    """
    current = Conversation.objects.select_for_update().only("status").get(pk=conversation.pk)
    conversation.status = current.status
    if conversation.status == Status.WAITING:
        _set_status(conversation, Status.BOT, assigned_to=None)
        extra = {"conversation_id": conversation.pk, "channel": conversation.channel}
        transaction.on_commit(
            lambda: audit.info("customer withdrew the request for a person", extra=extra)
        )
    return conversation


def _audit_status(
    actor: Actor, action: str, conversation: Conversation, before: str, **after: object
) -> None:
    audit_record(
        actor=actor,
        action=f"conversations.conversation.{action}",
        target=conversation,
        before={"status": before},
        after={"status": conversation.status, **after},
    )


@transaction.atomic
def conversation_take_over(
    *, actor: Actor, conversation: Conversation, staff: User
) -> Conversation:
    """A staff member answers the customer from now on (the assistant stops)."""
    before = conversation.status
    _take_over(conversation, staff)
    _audit_status(actor, "take_over", conversation, before)
    return conversation


def _take_over(conversation: Conversation, staff: User) -> Conversation:
    if conversation.status == Status.CLOSED:
        raise Conflict("This conversation is closed.")
    if conversation.status == Status.HUMAN and conversation.assigned_to_id == staff.pk:
        return conversation
    _set_status(conversation, Status.HUMAN, assigned_to=staff)
    message_send(
        conversation=conversation,
        sender=Sender.SYSTEM,
        text=_system_text(
            conversation,
            "joined",
            name=getattr(staff, "full_name", "") or _system_text(conversation, "someone"),
        ),
    )
    return conversation


@transaction.atomic
def conversation_reply(
    *, actor: Actor, conversation: Conversation, staff: User, text: str
) -> Message:
    """Staff write to the customer; replying takes the conversation over from the bot."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": ["This field may not be blank."]})
    delivery = channel_delivery_for(conversation.channel)
    refusal = delivery.refusal(conversation) if delivery is not None else None
    if refusal:
        raise Conflict(refusal)
    before = conversation.status
    if conversation.status != Status.HUMAN or conversation.assigned_to_id != staff.pk:
        _take_over(conversation, staff)
    message = message_send(conversation=conversation, text=text, sender=Sender.STAFF, staff=staff)
    _audit_status(actor, "reply", conversation, before, message=message.pk, text=message.text)
    return message


@transaction.atomic
def conversation_hand_back(*, actor: Actor, conversation: Conversation) -> Conversation:
    if conversation.status == Status.CLOSED:
        raise Conflict("This conversation is closed.")
    before = conversation.status
    if conversation.status != Status.BOT:
        _set_status(conversation, Status.BOT, assigned_to=None)
        message_send(
            conversation=conversation,
            sender=Sender.SYSTEM,
            text=_system_text(conversation, "bot_again"),
        )
    _audit_status(actor, "hand_back", conversation, before)
    return conversation


@transaction.atomic
def conversation_close(*, actor: Actor, conversation: Conversation) -> Conversation:
    before = conversation.status
    if conversation.status != Status.CLOSED:
        _set_status(conversation, Status.CLOSED, assigned_to=None)
    _audit_status(actor, "close", conversation, before)
    return conversation


def conversation_set_language(*, conversation: Conversation, language: str) -> Conversation:
    if language in Conversation.Language.values and language != conversation.language:
        conversation.language = language
        conversation.save(update_fields=["language", "updated"])
        invalidate("conversations")
    return conversation


def conversation_link_customer(*, conversation: Conversation, customer_id: int) -> Conversation:
    if conversation.customer_id != customer_id:
        conversation.customer_id = customer_id
        conversation.save(update_fields=["customer_id", "updated"])
        invalidate("conversations")
    return conversation


def conversation_add_llm_usage(
    *, conversation: Conversation, prompt_tokens: int, completion_tokens: int
) -> None:
    """Add one model call's token counts (an UPDATE with F(), safe under concurrent turns)."""
    Conversation.objects.filter(pk=conversation.pk).update(
        llm_prompt_tokens=F("llm_prompt_tokens") + max(0, prompt_tokens),
        llm_completion_tokens=F("llm_completion_tokens") + max(0, completion_tokens),
    )
    invalidate("conversations")
