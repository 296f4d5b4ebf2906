"""The assistant's turn: read the customer's message, answer, remember.

Called by the channels (web chat, WhatsApp) after they record the customer's message. The
assistant answers only while the conversation is the bot's (not while staff own it or a human
was asked for). Everything a turn writes (dialog state, orders, bookings, replies) commits
together or not at all.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db import transaction

from config.cache import invalidate
from tenant_apps.assistant.engine import replies
from tenant_apps.assistant.engine.dialog import Context, DialogManager, context_load
from tenant_apps.assistant.engine.state import Dialog
from tenant_apps.assistant.llm.engine import assistant_settings_get, model_enabled, model_propose
from tenant_apps.assistant.llm.proposal import Proposal
from tenant_apps.assistant.models import AssistantSettings, DialogState
from tenant_apps.conversations.models import Conversation, Message
from tenant_apps.conversations.services import (
    conversation_link_customer,
    conversation_request_human,
    conversation_set_language,
    messages_send,
)

logger = logging.getLogger(__name__)
SETTINGS_FIELDS: Final = frozenset(
    {"provider", "base_url", "model", "tool_mode", "stream", "timeout_seconds", "temperature"}
)


def _context_and_proposal(
    conversation: Conversation, message: Message
) -> tuple[Context | None, Proposal | None]:
    """Reads and the (optional) model call, outside the turn's transaction."""
    try:
        context = context_load()
        settings = assistant_settings_get()
    except Exception:
        logger.exception("could not load the assistant's context")
        return None, None
    if not model_enabled(settings):
        return context, None
    state = DialogState.objects.filter(conversation=conversation).first()
    dialog = Dialog.from_json(state.data if state else {"language": conversation.language})
    proposal = model_propose(
        settings=settings,
        conversation=conversation,
        dialog=dialog,
        text=message.text,
        catalog=context.catalog,
        profile=context.profile,
        now_text=context.now.strftime("%A %Y-%m-%d %H:%M"),
    )
    return context, proposal


def _locked_state(conversation: Conversation) -> DialogState:
    """The conversation's dialog state, locked for this turn (created on the first turn)."""
    state = DialogState.objects.select_for_update().filter(conversation=conversation).first()
    if state is None:
        state, _ = DialogState.objects.select_for_update().get_or_create(
            conversation=conversation,
            defaults={"data": Dialog(language=conversation.language).to_json()},
        )
    return state


def _turn(
    conversation: Conversation, text: str, context: Context | None, proposal: Proposal | None
) -> list[Message]:
    if context is None:
        raise RuntimeError("the assistant's context could not be loaded")
    state = _locked_state(conversation)
    dialog = Dialog.from_json(state.data)
    manager = DialogManager(
        conversation=conversation, dialog=dialog, context=context, proposal=proposal
    )
    result = manager.handle(text)
    state.data = dialog.to_json()
    state.save(update_fields=["data", "updated"])
    conversation_set_language(conversation=conversation, language=dialog.language)
    if result.customer_id is not None:
        conversation_link_customer(conversation=conversation, customer_id=result.customer_id)
    sent = messages_send(conversation=conversation, texts=result.replies)
    if result.handoff:
        conversation_request_human(conversation=conversation)
    return sent


def assistant_respond(*, conversation: Conversation, message: Message) -> list[Message]:
    if conversation.status != Conversation.Status.BOT:
        return []
    context, proposal = _context_and_proposal(conversation, message)
    language = conversation.language
    try:
        with transaction.atomic():
            return _turn(conversation, message.text, context, proposal)
    except Exception:
        # An engine bug: the turn's transaction takes back everything it wrote (order,
        # booking, dialog state), and the customer still gets an answer.
        logger.exception("assistant turn failed; answering with an apology")
        return messages_send(conversation=conversation, texts=[replies.say("trouble", language)])


@transaction.atomic
def assistant_settings_update(*, changes: Mapping[str, Any]) -> AssistantSettings:
    """Choose the engine (rules or a language model) for this restaurant."""
    unknown = set(changes) - SETTINGS_FIELDS
    if unknown:
        raise ValidationError({name: ["is not an assistant setting"] for name in sorted(unknown)})
    settings = AssistantSettings.objects.select_for_update().first() or AssistantSettings()
    for name, value in changes.items():
        setattr(settings, name, value)
    settings.full_clean()
    settings.save()
    invalidate("settings")
    return settings
