"""Factories for the assistant's records in tests (tenant schema must be active)."""

from __future__ import annotations

from datetime import datetime

from tenant_apps.assistant.models import ModelCall
from tenant_apps.conversations.models import Conversation


def model_calls(
    *, conversation: Conversation, created: datetime, count: int = 1, tokens: int = 10
) -> list[ModelCall]:
    """`count` OK calls made at `created` (auto_now_add is overridden after the insert)."""
    calls = ModelCall.objects.bulk_create(
        ModelCall(
            conversation=conversation,
            provider="ollama",
            model="llama3",
            outcome=ModelCall.Outcome.OK,
            prompt_tokens=tokens,
            completion_tokens=tokens,
        )
        for _ in range(count)
    )
    ModelCall.objects.filter(id__in=[call.id for call in calls]).update(created=created)
    return calls
