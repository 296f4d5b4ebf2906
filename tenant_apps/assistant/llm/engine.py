"""Ask the restaurant's language model (when configured) what the customer wants.

Runs before the turn's database transaction, so a slow model never holds locks. Any failure
(timeout, HTTP error, output that breaks the schema, open circuit) returns None and the rules
engine understands the message alone. Every call is recorded with its tokens.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from functools import partial
from typing import Any, Final

from django.core.cache import cache

from core.cache import cached
from core.db import current_schema_name
from tenant_apps.assistant.engine.catalog import Catalog
from tenant_apps.assistant.engine.proposal import Proposal
from tenant_apps.assistant.engine.state import Dialog
from tenant_apps.assistant.llm.breaker import (
    breaker_allows,
    breaker_record_failure,
    breaker_record_success,
)
from tenant_apps.assistant.llm.clients import (
    ChatRequest,
    ChatResult,
    InvalidOutputError,
    OllamaClient,
    OpenAIClient,
    ProviderError,
    ProviderTimeoutError,
    ToolsUnsupportedError,
)
from tenant_apps.assistant.llm.inflight import model_slot
from tenant_apps.assistant.llm.proposal import (
    TOOLS,
    TURN_SCHEMA,
    proposal_from_json,
    proposal_from_tools,
)
from tenant_apps.assistant.models import AssistantSettings, ModelCall
from tenant_apps.conversations.models import Conversation
from tenant_apps.conversations.selectors import message_list
from tenant_apps.conversations.services import conversation_add_llm_usage

# An answer that takes at least this share of the timeout counts as a failure for the breaker.
SLOW_SHARE: Final = 0.75
logger = logging.getLogger(__name__)
HISTORY_MESSAGES = 6
NO_TOOLS_TTL = 24 * 3600
LLM_API_KEY = "llm_api_key"


def _settings_from_database() -> AssistantSettings:
    return AssistantSettings.objects.first() or AssistantSettings()


def assistant_settings_get() -> AssistantSettings:
    """The engine settings, cached with the restaurant's settings (read on every turn).

    Writes go through `assistant_settings_update`, which drops the cached copy.
    """
    return cached("settings", "assistant-settings", _settings_from_database)


def model_enabled(settings: AssistantSettings) -> bool:
    return settings.provider != AssistantSettings.Provider.RULES and bool(settings.base_url)


def _client(settings: AssistantSettings) -> OllamaClient | OpenAIClient:
    from tenants.secrets import secret_get

    api_key = secret_get(schema_name=current_schema_name(), kind=LLM_API_KEY)
    cls = OllamaClient if settings.provider == AssistantSettings.Provider.OLLAMA else OpenAIClient
    return cls(base_url=settings.base_url, model=settings.model, api_key=api_key)


def model_endpoint(settings: AssistantSettings) -> str:
    """What the circuit breaker and the no-tools memory are kept per."""
    return f"{settings.provider}|{settings.base_url}|{settings.model}"


def _use_tools(settings: AssistantSettings) -> bool:
    if settings.tool_mode == AssistantSettings.ToolMode.JSON:
        return False
    if settings.tool_mode == AssistantSettings.ToolMode.TOOLS:
        return True
    return not cache.get(f"assistant:no-tools:{model_endpoint(settings)}")


def _facts(profile: Any, now_text: str) -> str:
    hours = ", ".join(
        f"{shift.weekday}:{shift.opens:%H:%M}-{shift.closes:%H:%M}"
        for shift in profile.opening_hours
    )
    return (
        f"Restaurant: {profile.name}. Address: {profile.address or '-'}. "
        f"Phone: {profile.phone or '-'}. Opening hours (weekday 0=Monday): {hours}. "
        f"Now (restaurant time): {now_text}."
    )


def _menu_lines(catalog: Catalog, text: str, language: str) -> str:
    """Items retrieved for this message (database search), with ids the model must use."""
    from tenant_apps.menu.selectors import menu_item_search

    found = [item.pk for item in menu_item_search(query=text, language=language, limit=8)]
    ids = list(dict.fromkeys([*found, *[i.item_id for i in catalog.items[:12]]]))[:15]
    lines = []
    for item_id in ids:
        item = catalog.by_id.get(item_id)
        if item is None:
            continue
        options = "; ".join(
            f"{group.names.get(language, '')}: "
            + ", ".join(f"{o.option_id}={o.name(language)}" for o in group.options)
            for group in item.groups
        )
        lines.append(
            f"- id {item.item_id}: {item.name(language)}" + (f" [{options}]" if options else "")
        )
    return "\n".join(lines)


def build_messages(
    *,
    conversation: Conversation,
    dialog: Dialog,
    text: str,
    catalog: Catalog,
    profile: Any,
    now_text: str,
) -> list[dict[str, str]]:
    system = (
        "You help customers of a restaurant by chat, in Spanish or English. Decide what the "
        "customer wants and extract details. Use only item ids from the menu list below. "
        "Never state prices or totals and never promise availability: the system adds them. "
        "Keep the reply short.\n"
        + _facts(profile, now_text)
        + "\nMenu items relevant to this message:\n"
        + _menu_lines(catalog, text, dialog.language)
        + f"\nConversation state: task={dialog.flow or 'none'}, waiting for "
        f"{dialog.awaiting or 'nothing'}, cart="
        + ", ".join(f"{line.quantity}x id {line.item_id}" for line in dialog.cart)
    )
    history = [
        {"role": "user" if message.sender == "customer" else "assistant", "content": message.text}
        for message in message_list(conversation=conversation, limit=HISTORY_MESSAGES + 1)
    ][:-1]
    return [{"role": "system", "content": system}, *history, {"role": "user", "content": text}]


def _record(
    *,
    conversation: Conversation,
    settings: AssistantSettings,
    mode: str,
    outcome: str,
    result: ChatResult | None,
    started: float,
    error: str = "",
) -> None:
    prompt = result.prompt_tokens if result else 0
    completion = result.completion_tokens if result else 0
    ModelCall.objects.create(
        conversation=conversation,
        provider=settings.provider,
        model=settings.model[:120],
        mode=mode,
        outcome=outcome,
        prompt_tokens=prompt,
        completion_tokens=completion,
        latency_ms=int((time.monotonic() - started) * 1000),
        error=error[:300],
    )
    if prompt or completion:
        conversation_add_llm_usage(
            conversation=conversation, prompt_tokens=prompt, completion_tokens=completion
        )


@dataclass
class _Call:
    """The call being made, kept for the record whatever happens to it."""

    mode: str = ""
    result: ChatResult | None = None


def _ask(
    client: OllamaClient | OpenAIClient,
    settings: AssistantSettings,
    messages: list[dict[str, str]],
    *,
    tools: bool,
    call: _Call,
) -> Proposal:
    call.mode, call.result = ("tools" if tools else "json"), None
    request = ChatRequest(
        messages=messages,
        schema=None if tools else TURN_SCHEMA,
        tools=TOOLS if tools else None,
        temperature=settings.temperature,
        stream=settings.stream,
        timeout=settings.timeout_seconds,
    )
    try:
        call.result = client.chat(request)
        return (
            proposal_from_tools(call.result) if tools else proposal_from_json(call.result.content)
        )
    except InvalidOutputError as exc:
        call.result = call.result or exc.result
        raise


def _converse(
    *,
    settings: AssistantSettings,
    conversation: Conversation,
    dialog: Dialog,
    text: str,
    catalog: Catalog,
    profile: Any,
    now_text: str,
    call: _Call,
) -> Proposal:
    client = _client(settings)
    messages = build_messages(
        conversation=conversation,
        dialog=dialog,
        text=text,
        catalog=catalog,
        profile=profile,
        now_text=now_text,
    )
    try:
        return _ask(client, settings, messages, tools=_use_tools(settings), call=call)
    except ToolsUnsupportedError:
        cache.set(f"assistant:no-tools:{model_endpoint(settings)}", True, timeout=NO_TOOLS_TTL)
        logger.info(
            "model has no tool support; using JSON schema output",
            extra={"model": settings.model},
        )
        return _ask(client, settings, messages, tools=False, call=call)


def _outcome(exc: Exception) -> str:
    if isinstance(exc, ProviderTimeoutError):
        return ModelCall.Outcome.TIMEOUT
    if isinstance(exc, InvalidOutputError):
        return ModelCall.Outcome.INVALID
    return ModelCall.Outcome.ERROR


def model_propose(
    *,
    settings: AssistantSettings,
    conversation: Conversation,
    dialog: Dialog,
    text: str,
    catalog: Catalog,
    profile: Any,
    now_text: str,
) -> Proposal | None:
    """The model's reading of the message, or None (the rules engine reads it alone)."""
    if not model_enabled(settings):
        return None
    endpoint = model_endpoint(settings)
    started = time.monotonic()
    record = partial(_record, conversation=conversation, settings=settings, started=started)
    if not breaker_allows(endpoint=endpoint):
        record(mode="", result=None, outcome=ModelCall.Outcome.SKIPPED)
        return None
    with model_slot() as slot:
        if not slot:
            # Too many model calls in flight (this restaurant's or all): the rules answer.
            record(mode="", result=None, outcome=ModelCall.Outcome.SKIPPED)
            return None
        call = _Call()
        try:
            proposal = _converse(
                settings=settings,
                conversation=conversation,
                dialog=dialog,
                text=text,
                catalog=catalog,
                profile=profile,
                now_text=now_text,
                call=call,
            )
        # Whatever goes wrong with the model (including a shape of answer no one foresaw), the
        # customer still gets the rules engine's answer in this turn.
        except Exception as exc:
            outcome = _outcome(exc)
            breaker_record_failure(endpoint=endpoint)
            record(mode=call.mode, result=call.result, outcome=outcome, error=str(exc))
            log = logger.warning if isinstance(exc, ProviderError) else logger.exception
            log(
                "language model failed; the rules engine answers",
                extra={"outcome": outcome, "model": settings.model},
            )
            return None
        if time.monotonic() - started >= settings.timeout_seconds * SLOW_SHARE:
            # Valid but nearly too late: a model that keeps answering like this holds every turn
            # (and a web worker) for the whole timeout, so it counts towards opening the circuit.
            breaker_record_failure(endpoint=endpoint)
        else:
            breaker_record_success(endpoint=endpoint)
        record(mode=call.mode, result=call.result, outcome=ModelCall.Outcome.OK)
        return proposal
