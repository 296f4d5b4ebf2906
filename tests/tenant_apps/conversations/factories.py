"""Factories for conversations and staff users in tests (tenant schema must be active)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from tenant_apps.conversations.models import Channel, Conversation
from tenant_apps.conversations.services import conversation_start


def staff_user(*, email: str = "staff@alpha.example", role: str = "staff", **fields: Any) -> Any:
    user_model = get_user_model()
    existing = user_model.objects.filter(email=email).first()
    if existing is not None:
        return existing
    return user_model.objects.create_user(email, "staff-pass-123", role=role, **fields)


def web_conversation(*, language: str = "es") -> Conversation:
    return conversation_start(channel=Channel.WEB, language=language)
