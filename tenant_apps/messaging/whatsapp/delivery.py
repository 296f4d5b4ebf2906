"""Outbound: every message recorded on a WhatsApp conversation reaches the provider once.

Recording messages (conversations.messages_send) calls `deliveries_schedule` through the
channel hook: one WhatsAppDelivery row per message, and after commit one flush task for the
conversation. A flush sends the conversation's waiting messages in order, one at a time, and
stops at the first that must wait, so replies arrive in the order they were written.

Exactly once: the attempt is committed as `sending` before the HTTP call. Another task that
finds it younger than DYSA_WHATSAPP_IN_FLIGHT_SECONDS leaves it (a worker is on it). If the
worker died or the answer was lost, the provider may still have the message: its status
callback names our reference (Meta's biz_opaque_callback_data, the `m` parameter of Twilio's
StatusCallback URL) and `delivery_reconcile` records its id; only an attempt nobody reported
within the grace is sent again. 429 and 5xx answers (nothing sent) are retried with
exponential backoff; other 4xx fail the message with the provider's reason.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from core.cache import invalidate
from tenant_apps.conversations.models import Conversation, Message
from tenant_apps.messaging.whatsapp import providers
from tenant_apps.messaging.whatsapp.channel_config import ChannelConfig, channel_config
from tenant_apps.messaging.whatsapp.models import WhatsAppChannel, WhatsAppDelivery
from tenant_apps.messaging.whatsapp.payloads import reference_for
from tenant_apps.messaging.whatsapp.queueing import task_queue_after_commit
from tenant_apps.messaging.whatsapp.selectors import (
    in_flight_grace,
    webhook_url,
    window_refusal,
)

logger = logging.getLogger(__name__)
State = WhatsAppDelivery.State
Delivery = Message.Delivery
MAX_ATTEMPTS: Final = 8
MAX_BACKOFF_SECONDS: Final = 300.0
MAX_FLUSH_ROUNDS: Final = 10
# Delivery statuses only move forward: a late `sent` never overwrites `read`.
RANK: Final = {
    Delivery.PENDING: 0,
    Delivery.SENT: 1,
    Delivery.FAILED: 2,
    Delivery.DELIVERED: 3,
    Delivery.READ: 4,
}


def statuses_below(status: str) -> list[str]:
    return [s for s, rank in RANK.items() if rank < RANK[Delivery(status)]]


# Set while an inbound task records its replies: that task sends them itself right after its
# commit, so no flush task of their own is queued.
flushes_inline: ContextVar[bool] = ContextVar("whatsapp_flushes_inline", default=False)


def deliveries_schedule(conversation: Conversation, messages: Sequence[Message]) -> None:
    """Channel hook: queue the messages just recorded (inside the recording transaction)."""
    WhatsAppDelivery.objects.bulk_create(
        [WhatsAppDelivery(message=message) for message in messages], ignore_conflicts=True
    )
    if not flushes_inline.get():
        flush_after_commit(conversation_id=conversation.pk)


def flush_after_commit(*, conversation_id: int) -> None:
    task_queue_after_commit("whatsapp.conversation_flush", args=[conversation_id])


def backoff_seconds(attempts: int, retry_after: float | None = None) -> float:
    base = float(settings.DYSA_WHATSAPP_RETRY_BASE_SECONDS) * (2 ** max(0, attempts - 1))
    return float(min(MAX_BACKOFF_SECONDS, max(base, retry_after or 0.0)))


@dataclass(frozen=True)
class _Step:
    done: bool
    wait: float = 0.0


_DONE: Final = _Step(done=True)


def message_status_advance(message_id: int, status: str, *, provider_message_id: str = "") -> None:
    """Move a message's delivery status forward (never back); record the provider id once."""
    below = statuses_below(status)
    if provider_message_id:  # one UPDATE for both (a send's answer sets both at once)
        Message.objects.filter(
            Q(provider_message_id="") | Q(delivery_status__in=below), pk=message_id
        ).update(
            provider_message_id=Case(
                When(provider_message_id="", then=Value(provider_message_id)),
                default=F("provider_message_id"),
            ),
            delivery_status=Case(
                When(delivery_status__in=below, then=Value(status)),
                default=F("delivery_status"),
            ),
        )
    else:
        Message.objects.filter(pk=message_id, delivery_status__in=below).update(
            delivery_status=status
        )
    invalidate("conversations")


def _fail(delivery: WhatsAppDelivery, reason: str) -> None:
    delivery.state = State.FAILED
    delivery.error = reason[:300]
    delivery.sending_since = None
    delivery.save(update_fields=["state", "error", "sending_since", "updated"])
    message_status_advance(delivery.message_id, Delivery.FAILED)
    logger.warning(
        "whatsapp message not delivered",
        extra={"message_id": delivery.message_id, "reason": delivery.error},
    )


def _claim(delivery_id: int) -> WhatsAppDelivery | _Step:
    """Lock the delivery and decide: done, wait, or ours to send (committed as `sending`)."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            WhatsAppDelivery.objects.select_for_update(of=("self",))
            .select_related("message__conversation", "template")
            .get(pk=delivery_id)
        )
        if delivery.state in (State.ACCEPTED, State.FAILED):
            return _DONE
        if delivery.state == State.SENDING and delivery.sending_since is not None:
            left = (delivery.sending_since + in_flight_grace() - now).total_seconds()
            if left > 0:
                return _Step(done=False, wait=left)
            logger.warning(
                "whatsapp send attempt lost with no callback; sending again",
                extra={"message_id": delivery.message_id},
            )
        if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
            return _Step(done=False, wait=(delivery.next_attempt_at - now).total_seconds())
        if delivery.attempts >= MAX_ATTEMPTS:
            _fail(delivery, delivery.error or "gave up after repeated provider errors")
            return _DONE
        refusal = None if delivery.template_id else window_refusal(delivery.message.conversation)
        if refusal:
            _fail(delivery, "outside the 24-hour window: a template is needed")
            return _DONE
        delivery.state = State.SENDING
        delivery.sending_since = now
        delivery.attempts += 1
        delivery.next_attempt_at = None
        delivery.save(
            update_fields=["state", "sending_since", "attempts", "next_attempt_at", "updated"]
        )
        return delivery


def _status_callback(message_id: int) -> str:
    from tenants.selectors import restaurant_primary_url

    base = restaurant_primary_url(connection.tenant)  # type: ignore[attr-defined]
    return webhook_url(base_url=base, provider=WhatsAppChannel.Provider.TWILIO) + f"?m={message_id}"


def outgoing_for(delivery: WhatsAppDelivery, channel: ChannelConfig) -> providers.Outgoing:
    message = delivery.message
    template = delivery.template
    twilio = channel.provider == WhatsAppChannel.Provider.TWILIO
    return providers.Outgoing(
        to=message.conversation.external_id,
        sender=channel.phone_number,
        text=message.text,
        reference=reference_for(message.pk),
        status_callback=_status_callback(message.pk) if twilio else "",
        template_ref=template.provider_ref if template else "",
        template_language=template.language if template else "",
        template_variables=tuple(str(v) for v in delivery.template_variables),
    )


def provider_send(channel: ChannelConfig, outgoing: providers.Outgoing) -> providers.SendOutcome:
    credentials = channel.credentials
    if channel.provider == WhatsAppChannel.Provider.TWILIO:
        return providers.twilio_send(
            account_sid=credentials["account_sid"],
            auth_token=credentials["auth_token"],
            outgoing=outgoing,
        )
    return providers.meta_send(
        phone_number_id=credentials["phone_number_id"],
        access_token=credentials["access_token"],
        outgoing=outgoing,
    )


def _record_accepted(claimed: WhatsAppDelivery, provider_message_id: str) -> _Step:
    """The usual answer, in one conditional UPDATE (no locking read first): only while the
    attempt is still ours (a status callback may have reconciled it meanwhile)."""
    with transaction.atomic():
        ours = WhatsAppDelivery.objects.filter(
            pk=claimed.pk, state=State.SENDING, attempts=claimed.attempts
        ).update(state=State.ACCEPTED, sending_since=None, error="", updated=timezone.now())
        if ours:
            message_status_advance(
                claimed.message_id, Delivery.SENT, provider_message_id=provider_message_id
            )
    return _DONE


def _record(delivery_id: int, attempt: int, outcome: providers.SendOutcome) -> _Step:
    with transaction.atomic():
        delivery = WhatsAppDelivery.objects.select_for_update().get(pk=delivery_id)
        if delivery.state != State.SENDING or delivery.attempts != attempt:
            return _DONE  # a status callback reconciled this attempt meanwhile
        if outcome.kind == "failed":
            _fail(delivery, outcome.error)
            return _DONE
        if outcome.kind == "unknown":
            # The provider may have it: wait for its callback before sending again.
            delivery.error = outcome.error[:300]
            delivery.save(update_fields=["error", "updated"])
            return _Step(done=False, wait=in_flight_grace().total_seconds())
        wait = backoff_seconds(delivery.attempts, outcome.retry_after)
        delivery.state = State.QUEUED
        delivery.sending_since = None
        delivery.error = outcome.error[:300]
        delivery.next_attempt_at = timezone.now() + timedelta(seconds=wait)
        delivery.save(
            update_fields=["state", "sending_since", "error", "next_attempt_at", "updated"]
        )
        logger.info(
            "whatsapp provider busy or down; will retry",
            extra={"message_id": delivery.message_id, "error": delivery.error, "wait": wait},
        )
        return _Step(done=False, wait=wait)


def _deliver_one(delivery_id: int, channel: ChannelConfig) -> _Step:
    claimed = _claim(delivery_id)
    if isinstance(claimed, _Step):
        return claimed
    outcome = provider_send(channel, outgoing_for(claimed, channel))
    if outcome.kind == "accepted":
        return _record_accepted(claimed, outcome.provider_message_id)
    return _record(delivery_id, claimed.attempts, outcome)


def _waiting(conversation_id: int) -> list[int]:
    return list(
        WhatsAppDelivery.objects.filter(
            message__conversation_id=conversation_id, state__in=[State.QUEUED, State.SENDING]
        )
        .order_by("message_id")
        .values_list("pk", flat=True)
    )


def conversation_flush(*, conversation_id: int) -> float | None:
    """Send the conversation's waiting messages in order; seconds until a retry is due, or
    None when nothing is left waiting.

    Once its messages are sent it looks again: a flush that found one of ours in flight (the
    customer's next message answered by another worker meanwhile) left its messages waiting
    for the in-flight grace, so they are sent now, right after ours and in order."""
    channel: ChannelConfig | None = None
    for _ in range(MAX_FLUSH_ROUNDS):
        pending = _waiting(conversation_id)
        if not pending:
            return None
        channel = channel or channel_config()
        if channel is None:
            with transaction.atomic():
                for delivery in WhatsAppDelivery.objects.select_for_update().filter(pk__in=pending):
                    _fail(delivery, "WhatsApp is not connected for this restaurant")
            return None
        for delivery_id in pending:
            step = _deliver_one(delivery_id, channel)
            if not step.done:
                return max(step.wait, 0.05)
    return 0.05  # a conversation still busy after that many rounds: continue in a new task


def delivery_reconcile(*, message_id: int, provider_message_id: str) -> bool:
    """A status callback named our reference: the provider has this message (even if the
    attempt's answer was lost). True when it was one of ours."""
    with transaction.atomic():
        delivery = (
            WhatsAppDelivery.objects.select_for_update()
            .filter(message_id=message_id, message__channel="whatsapp")
            .first()
        )
        if delivery is None:
            return False
        if delivery.state != State.ACCEPTED:
            delivery.state = State.ACCEPTED
            delivery.sending_since = None
            delivery.next_attempt_at = None
            delivery.save(update_fields=["state", "sending_since", "next_attempt_at", "updated"])
        message_status_advance(message_id, Delivery.SENT, provider_message_id=provider_message_id)
        return True


def deliveries_waiting(*, older_than: timedelta) -> list[int]:
    """Conversations with messages waiting longer than `older_than` (for the sweep)."""
    cutoff = timezone.now() - older_than
    return list(
        WhatsAppDelivery.objects.filter(state__in=[State.QUEUED, State.SENDING], updated__lt=cutoff)
        .values_list("message__conversation_id", flat=True)
        .distinct()
    )
