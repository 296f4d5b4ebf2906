"""Inbound: what verified webhooks carry becomes messages and delivery statuses.

The webhook only stores (`webhook_accept`, a few milliseconds) and answers; a Celery task
processes each stored message (`inbound_process`): the customer is found or created by their
WhatsApp number, the message is recorded in their conversation and the assistant answers,
all in one transaction that also marks the inbound row processed. The provider's message id
is unique, and the row is locked while it is processed, so a webhook delivered three times,
at once or spread out, yields one message and one answer.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Final

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from tenant_apps.assistant.services import assistant_respond
from tenant_apps.conversations.models import Channel, Conversation, Message
from tenant_apps.conversations.services import (
    conversation_link_customer,
    conversation_start,
    message_receive,
    messages_send,
)
from tenant_apps.customers.phones import whatsapp_phone
from tenant_apps.customers.services import customer_get_or_create_by_phone
from tenant_apps.messaging.whatsapp.delivery import (
    RANK,
    delivery_reconcile,
    message_status_advance,
)
from tenant_apps.messaging.whatsapp.models import WhatsAppDelivery, WhatsAppInbound
from tenant_apps.messaging.whatsapp.payloads import InboundItem, StatusItem
from tenant_apps.messaging.whatsapp.queueing import task_queue_after_commit

logger = logging.getLogger(__name__)

TEXT_ONLY: Final = {
    "es": "Por ahora solo puedo leer mensajes de texto. ¿Me lo escribes, por favor?",
    "en": "For now I can only read text messages. Could you write it to me, please?",
}


def webhook_accept(*, inbound: Sequence[InboundItem], statuses: Sequence[StatusItem]) -> int:
    """Store new inbound messages and queue their processing and the statuses'; returns how
    many inbound messages were new (a redelivered webhook stores nothing).

    One INSERT for the whole webhook, atomic on its own: outside a transaction (a webhook)
    it commits at once and the tasks are queued right after it, without BEGIN and COMMIT
    round trips; inside one, the tasks wait for its commit."""
    new = _inbound_store(inbound)
    for inbound_id in new:
        task_queue_after_commit("whatsapp.inbound_process", args=[inbound_id])
    for status in statuses:
        args = [status.provider_message_id, status.status, status.message_id, status.error]
        task_queue_after_commit("whatsapp.status_apply", args=args)
    return len(new)


def _inbound_store(inbound: Sequence[InboundItem]) -> list[int]:
    """Insert the messages not stored yet (the provider's id is unique); their ids in the
    order received."""
    if not inbound:
        return []
    table = WhatsAppInbound._meta.db_table
    rows = ", ".join(["(%s, %s, %s, %s, %s, now())"] * len(inbound))
    values: list[str] = []
    for item in inbound:
        values += [item.provider_message_id, item.sender, item.profile_name, item.kind, item.text]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (provider_message_id, sender, profile_name, kind, text,"  # noqa: S608
            f" received) VALUES {rows} ON CONFLICT (provider_message_id) DO NOTHING RETURNING id",
            values,
        )
        return sorted(row[0] for row in cursor.fetchall())


def _conversation_for(sender: str) -> Conversation:
    existing = (
        Conversation.objects.filter(channel=Channel.WHATSAPP, external_id=sender)
        .order_by("-id")
        .first()
    )
    if existing is not None:
        return existing
    language = getattr(connection.tenant, "locale", "es")  # type: ignore[attr-defined]
    return conversation_start(channel=Channel.WHATSAPP, language=language, external_id=sender)


def _link_customer(conversation: Conversation, inbound: WhatsAppInbound) -> None:
    try:
        phone = whatsapp_phone(inbound.sender)
    except ValidationError:
        logger.warning("whatsapp sender is not a phone number", extra={"inbound": inbound.pk})
        return
    customer = customer_get_or_create_by_phone(phone=phone, name=inbound.profile_name)
    conversation_link_customer(conversation=conversation, customer_id=customer.pk)


def inbound_process(*, inbound_id: int) -> int | None:
    """Record one stored inbound message and let the assistant answer; the conversation's
    id, or None when it was already processed or another worker is processing it."""
    with transaction.atomic():
        inbound = (
            WhatsAppInbound.objects.select_for_update(skip_locked=True)
            .filter(pk=inbound_id, processed_at__isnull=True)
            .first()
        )
        if inbound is None:
            return None
        # One customer's messages are processed one at a time, in the order they are taken.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [inbound.sender])
        conversation = _conversation_for(inbound.sender)
        if conversation.customer_id is None:
            _link_customer(conversation, inbound)
        text = inbound.text if inbound.kind == "text" else inbound.text or f"[{inbound.kind}]"
        message = message_receive(
            conversation=conversation,
            text=text[:2000],
            provider_message_id=inbound.provider_message_id,
        )
        if inbound.kind == "text":
            assistant_respond(conversation=conversation, message=message)
        elif conversation.status == Conversation.Status.BOT:
            reply = TEXT_ONLY.get(conversation.language, TEXT_ONLY["en"])
            messages_send(conversation=conversation, texts=[reply])
        inbound.processed_at = timezone.now()
        inbound.save(update_fields=["processed_at"])
    return conversation.pk


def status_apply(*, item: StatusItem) -> bool:
    """Move a sent message's delivery status forward; False when no message has that id yet
    (its send has not recorded the provider's answer: the caller retries a little later)."""
    message_id = (
        Message.objects.filter(
            channel=Channel.WHATSAPP, provider_message_id=item.provider_message_id
        )
        .values_list("pk", flat=True)
        .first()
    )
    if (
        message_id is None
        and item.message_id is not None
        and delivery_reconcile(
            message_id=item.message_id, provider_message_id=item.provider_message_id
        )
    ):
        message_id = item.message_id
    if message_id is None:
        return False
    if item.status in RANK:
        message_status_advance(message_id, item.status)
    if item.error:
        WhatsAppDelivery.objects.filter(message_id=message_id).update(error=item.error[:300])
    return True


def inbound_waiting(*, older_than_seconds: float) -> list[int]:
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return list(
        WhatsAppInbound.objects.filter(processed_at__isnull=True, received__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
