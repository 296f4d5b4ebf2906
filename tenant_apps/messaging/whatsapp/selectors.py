"""Reads for the WhatsApp channel: its configuration, templates and the 24-hour window."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from django.conf import settings
from django.utils import timezone

from tenant_apps.conversations.models import Channel, Conversation
from tenant_apps.messaging.whatsapp.models import WhatsAppChannel, WhatsAppTemplate

# WhatsApp's customer-service window: free-form messages only within 24 hours of the
# customer's last message; after that only approved templates.
WINDOW: Final = timedelta(hours=24)
WEBHOOK_PATHS: Final[dict[str, str]] = {
    WhatsAppChannel.Provider.TWILIO: "webhooks/whatsapp/twilio/",
    WhatsAppChannel.Provider.META: "webhooks/whatsapp/meta/",
}


def whatsapp_channel_get() -> WhatsAppChannel | None:
    """The restaurant's connection, enabled or not."""
    return WhatsAppChannel.objects.first()


def whatsapp_channel_active() -> WhatsAppChannel | None:
    """The connection when it is enabled (what webhooks and sends need)."""
    return WhatsAppChannel.objects.filter(enabled=True).first()


def webhook_url(*, base_url: str, provider: str) -> str:
    """What to paste in the provider's console (base_url: the restaurant's public URL)."""
    return base_url.rstrip("/") + "/" + WEBHOOK_PATHS[provider]


def window_closes_at(conversation: Conversation) -> datetime | None:
    last = conversation.last_customer_message_at
    return last + WINDOW if last is not None else None


def window_refusal(conversation: Conversation) -> str | None:
    """Why a free-form message cannot go to this WhatsApp customer now, or None."""
    if conversation.channel != Channel.WHATSAPP:
        return None
    closes = window_closes_at(conversation)
    if closes is not None and closes > timezone.now():
        return None
    return (
        "WhatsApp only allows free-form messages within 24 hours of the customer's last "
        "message; this window is closed. Send an approved template instead "
        "(POST /api/v1/channels/whatsapp/conversations/<id>/template/)."
    )


def whatsapp_template_list() -> list[WhatsAppTemplate]:
    return list(WhatsAppTemplate.objects.all())


def whatsapp_template_get(*, template_id: int) -> WhatsAppTemplate | None:
    return WhatsAppTemplate.objects.filter(pk=template_id).first()


def whatsapp_template_by_name(*, name: str, language: str) -> WhatsAppTemplate | None:
    return (
        WhatsAppTemplate.objects.filter(name=name, language=language).first()
        or WhatsAppTemplate.objects.filter(name=name).first()
    )


def in_flight_grace() -> timedelta:
    return timedelta(seconds=settings.DYSA_WHATSAPP_IN_FLIGHT_SECONDS)
