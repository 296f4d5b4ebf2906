"""The assistant's turn: read the customer's message, answer, remember.

Called by the channels (web chat, WhatsApp) after they record the customer's message. The
assistant answers only while the conversation is the bot's (not while staff own it or a human
was asked for). Everything a turn writes (dialog state, orders, bookings, replies) commits
together or not at all.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db import transaction

from core.actors import Actor
from core.cache import invalidate
from core.db import current_schema_name
from shared_apps.billing.limits import Feature, plan_feature_allowed, plan_feature_enforce
from tenant_apps.assistant.engine import replies
from tenant_apps.assistant.engine.dialog import Context, DialogManager, context_load
from tenant_apps.assistant.engine.proposal import Proposal
from tenant_apps.assistant.engine.state import Dialog
from tenant_apps.assistant.llm.breaker import breaker_reset
from tenant_apps.assistant.llm.egress import base_url_problem
from tenant_apps.assistant.llm.engine import (
    LLM_API_KEY,
    assistant_settings_get,
    model_enabled,
    model_endpoint,
    model_propose,
)
from tenant_apps.assistant.models import AssistantSettings, DialogState, ModelCall
from tenant_apps.assistant.nlu.intents import stays_with_bot
from tenant_apps.assistant.nlu.normalize import tokens
from tenant_apps.assistant.selectors import assistant_api_key_is_set
from tenant_apps.audit.services import audit_record
from tenant_apps.conversations.models import Conversation, Message
from tenant_apps.conversations.selectors import conversation_beyond_quota
from tenant_apps.conversations.services import (
    conversation_link_customer,
    conversation_request_human,
    conversation_set_language,
    conversation_withdraw_human_request,
    messages_send,
)
from tenants.secrets import secret_delete, secret_set

logger = logging.getLogger(__name__)
SETTINGS_FIELDS: Final = frozenset(
    {"provider", "base_url", "model", "tool_mode", "stream", "timeout_seconds", "temperature"}
)
# A turn waits for the model inside the customer's request: bounded so a slow server cannot
# hold a web worker for long (the rules engine answers when it gives up).
TIMEOUT_RANGE: Final = (0.5, 30.0)
TEMPERATURE_RANGE: Final = (0.0, 2.0)
MAX_URL_LENGTH: Final = 300
MODEL_PROVIDERS: Final = frozenset(
    {AssistantSettings.Provider.OLLAMA, AssistantSettings.Provider.OPENAI}
)
_MODEL_NAME: Final = re.compile(r"^[\w.:/@+-]{1,120}$")
_API_KEY: Final = re.compile(r"^[\x21-\x7e]{1,500}$")
# Rows deleted per transaction when pruning: short locks and WAL bursts on a huge table.
MODEL_CALL_PRUNE_BATCH: Final = 2000


def _context_and_proposal(
    conversation: Conversation, message: Message, *, ask_model: bool = True
) -> tuple[Context | None, Proposal | None]:
    """Reads and the (optional) model call, outside the turn's transaction."""
    try:
        context = context_load()
        settings = assistant_settings_get()
    except Exception:
        logger.exception("could not load the assistant's context")
        return None, None
    if not ask_model or not model_enabled(settings) or not plan_feature_allowed(Feature.LLM):
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
    conversation: Conversation,
    text: str,
    context: Context | None,
    proposal: Proposal | None,
    *,
    resuming: bool = False,
) -> list[Message]:
    if context is None:
        raise RuntimeError("the assistant's context could not be loaded")
    if resuming:
        conversation_withdraw_human_request(conversation=conversation)
        if conversation.status != Conversation.Status.BOT:
            return []  # a staff member took it over meanwhile: theirs now
    state = _locked_state(conversation)
    dialog = Dialog.from_json(state.data)
    manager = DialogManager(
        conversation=conversation, dialog=dialog, context=context, proposal=proposal
    )
    result = manager.resume() if resuming else manager.handle(text)
    state.data = dialog.to_json()
    state.save(update_fields=["data", "updated"])
    conversation_set_language(conversation=conversation, language=dialog.language)
    if result.customer_id is not None:
        conversation_link_customer(conversation=conversation, customer_id=result.customer_id)
    sent = messages_send(conversation=conversation, texts=result.replies)
    if result.handoff:
        conversation_request_human(conversation=conversation)
    return sent


def _takes_back_human_request(conversation: Conversation, message: Message) -> bool:
    """A customer still waiting for a person says they would rather carry on with the bot
    (not when the plan's conversation quota sent the conversation to staff)."""
    return (
        conversation.status == Conversation.Status.WAITING
        and stays_with_bot(tokens(message.text))
        and not conversation_beyond_quota(conversation=conversation)
    )


def assistant_respond(*, conversation: Conversation, message: Message) -> list[Message]:
    """The assistant's answer; silent while a person owns the conversation or one was asked
    for, unless the waiting customer takes that request back."""
    resuming = _takes_back_human_request(conversation, message)
    if conversation.status != Conversation.Status.BOT and not resuming:
        return []
    # Taking the request back asks the model nothing: the turn carries on where it was.
    context, proposal = _context_and_proposal(conversation, message, ask_model=not resuming)
    language = conversation.language
    try:
        with transaction.atomic():
            return _turn(conversation, message.text, context, proposal, resuming=resuming)
    except Exception:
        # An engine bug: the turn's transaction takes back everything it wrote (order,
        # booking, dialog state, status), and the customer still gets an answer.
        logger.exception("assistant turn failed; answering with an apology")
        return messages_send(conversation=conversation, texts=[replies.say("trouble", language)])


def _settings_errors(settings: AssistantSettings) -> dict[str, list[str]]:
    """What a model-backed engine needs beyond the fields' own types and choices."""
    errors: dict[str, list[str]] = {}
    if settings.base_url:
        problem = _url_problem(settings.base_url)
        if problem:
            errors["base_url"] = [problem]
    if settings.model and not _MODEL_NAME.match(settings.model):
        errors["model"] = ["use the model's name as the server knows it, without spaces"]
    if settings.provider in MODEL_PROVIDERS:
        label = AssistantSettings.Provider(settings.provider).label
        for name in ("base_url", "model"):
            if not getattr(settings, name):
                errors.setdefault(name, []).append(f"is required with the {label} provider")
    low, high = TIMEOUT_RANGE
    if not (math.isfinite(settings.timeout_seconds) and low <= settings.timeout_seconds <= high):
        errors["timeout_seconds"] = [f"must be between {low:g} and {high:g} seconds"]
    low, high = TEMPERATURE_RANGE
    if not (math.isfinite(settings.temperature) and low <= settings.temperature <= high):
        errors["temperature"] = [f"must be between {low:g} and {high:g}"]
    return errors


def _url_problem(url: str) -> str:
    """Why `url` cannot be a model server's base URL ("" when it can): the assistant's egress
    rules (tenant_apps.assistant.llm.egress), which every connect checks again."""
    return base_url_problem(url)


@transaction.atomic
def assistant_settings_update(*, changes: Mapping[str, Any]) -> AssistantSettings:
    """Choose the engine (rules or a language model) for this restaurant."""
    unknown = set(changes) - SETTINGS_FIELDS
    if unknown:
        raise ValidationError({name: ["is not an assistant setting"] for name in sorted(unknown)})
    settings = AssistantSettings.objects.select_for_update().first() or AssistantSettings()
    for name, value in changes.items():
        setattr(settings, name, value.strip() if isinstance(value, str) else value)
    errors = _settings_errors(settings)
    try:
        # base_url is checked above: Django's URLField refuses hosts without a dot, such as
        # a compose service (http://ollama:11434), which are normal for a model server.
        settings.full_clean(exclude=["base_url"])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    if "provider" in changes and settings.provider in MODEL_PROVIDERS:
        plan_feature_enforce(feature=Feature.LLM)
    settings.save()
    invalidate("settings")
    _reset_breaker_on_commit(settings)
    return settings


@transaction.atomic
def assistant_api_key_set(*, api_key: str | None) -> None:
    """Store the model server's API key as a tenant secret (None removes it); never readable
    back through the API, only whether one is set."""
    schema_name = current_schema_name()
    if api_key is None:
        secret_delete(schema_name=schema_name, kind=LLM_API_KEY)
    else:
        if not api_key or not _API_KEY.match(api_key):
            raise ValidationError(
                {"api_key": ["must be the key itself: no spaces or line breaks (null removes it)"]}
            )
        secret_set(schema_name=schema_name, kind=LLM_API_KEY, value=api_key)
    # A circuit opened by a wrong key (401s) closes with the new one.
    _reset_breaker_on_commit(assistant_settings_get())


def _engine_snapshot() -> dict[str, Any]:
    settings = assistant_settings_get()
    snapshot: dict[str, Any] = {name: getattr(settings, name) for name in sorted(SETTINGS_FIELDS)}
    # The audit log redacts anything named like an API key, so the flag gets a neutral name.
    snapshot["key_stored"] = assistant_api_key_is_set()
    return snapshot


@transaction.atomic
def assistant_engine_configure(
    *, actor: Actor, changes: Mapping[str, Any], api_key_given: bool, api_key: str | None
) -> None:
    """Change the engine settings and/or store (None: remove) the model server's API key, as
    one audited write. The key itself never reaches the audit log, only whether one is set."""
    before = _engine_snapshot()
    if changes:
        assistant_settings_update(changes=changes)
    if api_key_given:
        assistant_api_key_set(api_key=api_key)
    summary = "Assistant engine settings"
    if api_key_given:
        summary += " (API key " + ("removed)" if api_key is None else "replaced)")
    audit_record(
        actor=actor,
        action="assistant.settings.update",
        target_type="assistant.assistantsettings",
        before=before,
        after=_engine_snapshot(),
        summary=summary,
    )


def _reset_breaker_on_commit(settings: AssistantSettings) -> None:
    endpoint = model_endpoint(settings)
    transaction.on_commit(lambda: breaker_reset(endpoint=endpoint))


def model_call_prune(*, older_than: datetime, batch_size: int = MODEL_CALL_PRUNE_BATCH) -> int:
    """Delete the current schema's model calls created before `older_than`; returns how many.

    One transaction per batch, so a table of millions never holds one long transaction and a
    stop halfway keeps what was done (running it again finishes the job). Token totals per
    conversation do not depend on these rows: they are counted on the Conversation
    (`llm_prompt_tokens`, `llm_completion_tokens`) when each call is recorded.
    """
    # Oldest ids first: walking the primary key finds a batch of old rows at the start of the
    # table without an index on `created`.
    old = ModelCall.objects.filter(created__lt=older_than).order_by("id")
    deleted = 0
    while True:
        with transaction.atomic():
            ids = list(old.values_list("id", flat=True)[:batch_size])
            if ids:
                deleted += ModelCall.objects.filter(id__in=ids).delete()[0]
        if len(ids) < batch_size:
            return deleted


@transaction.atomic
def assistant_customer_proven(*, conversation: Conversation, customer_id: int) -> None:
    """The visitor of `conversation` proved to be this customer (they opened the chat from
    the restaurant's signed link): the chat may show and change that customer's existing
    orders and bookings (engine/turn.py, Turn.lookup_customer)."""
    conversation_link_customer(conversation=conversation, customer_id=customer_id)
    state = _locked_state(conversation)
    dialog = Dialog.from_json(state.data)
    dialog.verified_customer_id = customer_id
    state.data = dialog.to_json()
    state.save(update_fields=["data", "updated"])
