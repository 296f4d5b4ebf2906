"""WhatsApp channel state (tenant schema): the connection, templates, inbound events and the
delivery of each outbound message.

Credentials are never stored here: they live in the restaurant's encrypted secret store
(tenants.secrets) under the kinds named in `credentials.py`.
"""

from __future__ import annotations

from django.db import models

from tenant_apps.conversations.models import Message


class WhatsAppChannel(models.Model):
    """One row per restaurant: which provider answers its WhatsApp number."""

    class Provider(models.TextChoices):
        TWILIO = "twilio", "Twilio"
        META = "meta", "Meta Cloud API"

    provider = models.CharField(max_length=16, choices=Provider.choices)
    phone_number = models.CharField(max_length=16, help_text="E.164, e.g. +34612345678")
    enabled = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"WhatsApp via {self.provider} ({self.phone_number})"


class WhatsAppTemplate(models.Model):
    """A message template the provider approved, sendable outside the 24-hour window.

    `body` is the approved text with `{{1}}`, `{{2}}`... placeholders (what staff see and what
    the conversation records); `provider_ref` is what the provider sends by: the Twilio
    Content SID (HX...) or the Meta template name.
    """

    name = models.SlugField(max_length=64)
    language = models.CharField(max_length=8, default="es")
    body = models.TextField()
    provider_ref = models.CharField(max_length=128)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "language"]
        constraints = [
            models.UniqueConstraint(fields=["name", "language"], name="whatsapp_template_unique")
        ]

    def __str__(self) -> str:
        return f"template {self.name} ({self.language})"


class WhatsAppInbound(models.Model):
    """A verified inbound message, stored by the webhook before it answers the provider.

    Unique per provider message id: a webhook delivered again (at once or later) finds its
    row and queues nothing. `processed_at` is set in the same transaction that records the
    message and the assistant's replies, so processing happens once or not at all.
    """

    provider_message_id = models.CharField(max_length=128, unique=True)
    sender = models.CharField(max_length=64, help_text="the provider's address of the customer")
    profile_name = models.CharField(max_length=120, blank=True, default="")
    kind = models.CharField(max_length=24, default="text")
    text = models.TextField(blank=True, default="")
    received = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True, db_index=True)

    def __str__(self) -> str:
        return f"inbound {self.provider_message_id}"


class WhatsAppDelivery(models.Model):
    """How one outbound message is getting to the provider.

    queued -> sending -> accepted (provider id known) or failed. `sending` is written and
    committed before the HTTP call: a task that finds it younger than the in-flight grace
    leaves it alone (another worker is on it); older, the attempt died, and the message is
    sent again only if no status callback has reported it meanwhile (the callback carries our
    message id, so it reconciles an attempt whose answer was lost).
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        ACCEPTED = "accepted", "Accepted by the provider"
        FAILED = "failed", "Failed"

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="whatsapp")
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    template = models.ForeignKey(
        WhatsAppTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    template_variables = models.JSONField(default=list, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sending_since = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True, default="")
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["state", "updated"])]

    def __str__(self) -> str:
        return f"delivery of message {self.message_id} ({self.state})"
