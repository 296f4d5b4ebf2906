"""WhatsApp Celery tasks: process an inbound message, apply a status, flush a conversation's
outbound messages, a direct send, and the sweep that picks up anything a lost worker left.

Tasks take ids and are idempotent; they run in the restaurant's schema (tenant-schemas-celery).
Nobody reads their results: none is stored (a Redis write per message saved).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial
from typing import Any, Final

from celery import shared_task
from django.db import transaction

from core.db import PUBLIC_SCHEMA, current_schema_name, use_public_schema
from tenant_apps.messaging.whatsapp import providers
from tenant_apps.messaging.whatsapp.channel_config import channel_config
from tenant_apps.messaging.whatsapp.delivery import (
    backoff_seconds,
    conversation_flush,
    deliveries_waiting,
    flushes_inline,
    provider_send,
)
from tenant_apps.messaging.whatsapp.inbound import inbound_process, inbound_waiting, status_apply
from tenant_apps.messaging.whatsapp.payloads import StatusItem
from tenant_apps.messaging.whatsapp.selectors import whatsapp_template_by_name

logger = logging.getLogger(__name__)
# A status can arrive before the send that caused it has recorded the provider's id.
STATUS_RETRIES: Final = 6
SWEEP_AGE: Final = timedelta(minutes=1)


@shared_task(name="whatsapp.inbound_process", ignore_result=True)
def whatsapp_inbound_process_task(inbound_id: int) -> bool:
    # The replies go out right after the commit, from this task, not behind the rest of a
    # burst's inbound messages in the queue. If this worker dies first, the sweep sends them.
    inline = flushes_inline.set(True)
    try:
        conversation_id = inbound_process(inbound_id=inbound_id)
    finally:
        flushes_inline.reset(inline)
    if conversation_id is None:
        return False
    wait = conversation_flush(conversation_id=conversation_id)
    if wait is not None:
        whatsapp_conversation_flush_task.apply_async((conversation_id,), countdown=wait)
    return True


@shared_task(
    bind=True, name="whatsapp.status_apply", max_retries=STATUS_RETRIES, ignore_result=True
)
def whatsapp_status_apply_task(
    self: Any, provider_message_id: str, status: str, message_id: int | None, error: str
) -> bool:
    item = StatusItem(provider_message_id, status, message_id, error)
    if status_apply(item=item):
        return True
    if self.request.retries >= STATUS_RETRIES:
        logger.info("whatsapp status for an unknown message dropped", extra={"status": status})
        return False
    raise self.retry(countdown=0.5 * 2**self.request.retries)


@shared_task(bind=True, name="whatsapp.conversation_flush", max_retries=None, ignore_result=True)
def whatsapp_conversation_flush_task(self: Any, conversation_id: int) -> None:
    wait = conversation_flush(conversation_id=conversation_id)
    if wait is not None:
        raise self.retry(countdown=wait)


@shared_task(bind=True, name="whatsapp.direct_send", max_retries=6, ignore_result=True)
def whatsapp_direct_send_task(
    self: Any, to: str, text: str, template_name: str, variables: list[str]
) -> str:
    """An unrecorded message to a phone (one-time codes): retried on 429/5xx only."""
    channel = channel_config()
    if channel is None:
        return "not-connected"
    template = (
        whatsapp_template_by_name(name=template_name, language="es") if template_name else None
    )
    outgoing = providers.Outgoing(
        to=to,
        sender=channel.phone_number,
        text=text,
        reference="dysa:direct",
        template_ref=template.provider_ref if template else "",
        template_language=template.language if template else "",
        template_variables=tuple(variables),
    )
    outcome = provider_send(channel, outgoing)
    if outcome.kind == "retry":
        raise self.retry(countdown=backoff_seconds(self.request.retries + 1, outcome.retry_after))
    if outcome.kind != "accepted":
        logger.warning("whatsapp direct message not sent", extra={"error": outcome.error})
    return outcome.kind


@shared_task(name="whatsapp.sweep", ignore_result=True)
def whatsapp_sweep_task() -> int:
    """Requeue this restaurant's inbound messages and deliveries a lost worker left behind."""
    if current_schema_name() == PUBLIC_SCHEMA:
        return 0
    queued = 0
    for inbound_id in inbound_waiting(older_than_seconds=SWEEP_AGE.total_seconds()):
        whatsapp_inbound_process_task.delay(inbound_id)
        queued += 1
    for conversation_id in deliveries_waiting(older_than=SWEEP_AGE):
        whatsapp_conversation_flush_task.delay(conversation_id)
        queued += 1
    return queued


@shared_task(name="whatsapp.sweep_all", ignore_result=True)
def whatsapp_sweep_all_task() -> int:
    """Fan the sweep out to the restaurants that have WhatsApp credentials stored."""
    from tenant_apps.messaging.whatsapp.credentials import ALL_KINDS
    from tenants.models import TenantSecret

    use_public_schema()
    schemas = list(
        TenantSecret.objects.filter(kind__in=ALL_KINDS)
        .values_list("schema_name", flat=True)
        .distinct()
    )
    for schema in schemas:
        queue = partial(whatsapp_sweep_task.apply_async, headers={"_schema_name": schema})
        transaction.on_commit(queue)
    return len(schemas)
