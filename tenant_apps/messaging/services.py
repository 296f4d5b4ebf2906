"""Web chat: visitors start a conversation and talk to the assistant (or to staff)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from core.actors import Actor
from core.db import current_schema_name
from tenant_apps.assistant.services import assistant_customer_proven, assistant_respond
from tenant_apps.audit.services import audit_record, snapshot
from tenant_apps.conversations.models import Channel, Conversation, Message
from tenant_apps.conversations.services import conversation_start, message_receive
from tenant_apps.customers.verification import customer_from_link_token
from tenant_apps.messaging.models import WebChatSettings
from tenant_apps.messaging.selectors import origin_host
from tenant_apps.messaging.tokens import visitor_token_issue

_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class ChatSession:
    conversation: Conversation
    token: str


@dataclass(frozen=True)
class ChatTurn:
    message: Message
    replies: list[Message]


@transaction.atomic
def webchat_session_start(*, language: str, customer_link: str = "") -> ChatSession:
    """A new web chat. `customer_link`: the token of a link the restaurant sent a customer
    (tenant_apps.customers.verification.customer_link_token): the chat then acts for that
    customer without a one-time code. An invalid or expired one is a 400."""
    customer = customer_from_link_token(customer_link) if customer_link else None
    if customer_link and customer is None:
        raise ValidationError({"customer_link": ["This link is invalid or has expired."]})
    conversation = conversation_start(channel=Channel.WEB, language=language)
    if customer is not None:
        assistant_customer_proven(conversation=conversation, customer_id=customer.pk)
    token = visitor_token_issue(schema_name=current_schema_name(), conversation_id=conversation.pk)
    return ChatSession(conversation=conversation, token=token)


def webchat_message_post(*, conversation: Conversation, text: str) -> ChatTurn:
    """Record the visitor's text, then let the assistant answer (silent if staff own it)."""
    message = message_receive(conversation=conversation, text=text)
    replies = assistant_respond(conversation=conversation, message=message)
    return ChatTurn(message=message, replies=replies)


def _clean_origins(origins: Sequence[str]) -> list[str]:
    cleaned = []
    for origin in origins:
        value = str(origin).strip().rstrip("/")
        if not re.match(r"^https?://", value) or not origin_host(value) or "/" in value[8:]:
            raise ValidationError(
                {"allowed_origins": [f"{value!r} is not an origin like https://example.com"]}
            )
        cleaned.append(value.lower())
    return sorted(set(cleaned))


_AUDITED_FIELDS = ("enabled", "allowed_origins", "accent_color")


@transaction.atomic
def webchat_settings_update(
    *,
    actor: Actor,
    enabled: bool | None = None,
    allowed_origins: Sequence[str] | None = None,
    accent_color: str | None = None,
) -> WebChatSettings:
    settings = WebChatSettings.objects.select_for_update().first() or WebChatSettings()
    before = snapshot(settings, _AUDITED_FIELDS)
    if enabled is not None:
        settings.enabled = enabled
    if allowed_origins is not None:
        settings.allowed_origins = _clean_origins(allowed_origins)
    if accent_color is not None:
        if not _COLOR.match(accent_color):
            raise ValidationError({"accent_color": ["use a colour like #c2410c"]})
        settings.accent_color = accent_color.lower()
    settings.save()
    audit_record(
        actor=actor,
        action="messaging.webchat_settings.update",
        target_type="messaging.webchatsettings",
        before=before,
        after=snapshot(settings, _AUDITED_FIELDS),
        summary="Web chat settings",
    )
    return settings
