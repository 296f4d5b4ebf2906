"""Web chat widget settings (tenant schema)."""

from __future__ import annotations

from django.db import models


class WebChatSettings(models.Model):
    """One row per restaurant: whether the widget answers, and which sites may embed it.

    The restaurant's own hosts may always use the chat API; other origins (the restaurant's
    own website, where it pastes the script) must be listed here, e.g. "https://example.com".
    """

    enabled = models.BooleanField(default=True)
    allowed_origins = models.JSONField(default=list, blank=True)
    accent_color = models.CharField(max_length=7, default="#c2410c")
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "web chat settings"

    def __str__(self) -> str:
        return "web chat settings"


# The WhatsApp channel's tables (tenant_apps/messaging/whatsapp/models.py), registered here so
# they belong to this app.
from tenant_apps.messaging.whatsapp.models import (  # noqa: E402
    WhatsAppChannel,
    WhatsAppDelivery,
    WhatsAppInbound,
    WhatsAppTemplate,
)

__all__ = [
    "WebChatSettings",
    "WhatsAppChannel",
    "WhatsAppDelivery",
    "WhatsAppInbound",
    "WhatsAppTemplate",
]
