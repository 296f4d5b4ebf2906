"""Reads for the web chat: settings and which browser origins may call the chat API."""

from __future__ import annotations

from urllib.parse import urlsplit

from tenant_apps.messaging.models import WebChatSettings


def webchat_settings_get() -> WebChatSettings:
    """The settings row, or unsaved defaults when the restaurant never changed them."""
    return WebChatSettings.objects.first() or WebChatSettings()


def origin_host(origin: str) -> str:
    try:
        return (urlsplit(origin).hostname or "").lower()
    except ValueError:
        return ""


def origin_allowed(*, origin: str, request_host: str, settings: WebChatSettings) -> bool:
    """Same host as the restaurant (any scheme/port), or an exact configured origin."""
    if not origin:
        return True
    if origin.rstrip("/") in {o.rstrip("/") for o in settings.allowed_origins}:
        return True
    return origin_host(origin) == request_host.split(":", maxsplit=1)[0].lower()
