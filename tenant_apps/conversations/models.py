"""Conversations with customers, on any channel, and their messages (tenant schema)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Channel(models.TextChoices):
    WEB = "web", "Web chat"
    WHATSAPP = "whatsapp", "WhatsApp"


class Conversation(models.Model):
    class Status(models.TextChoices):
        BOT = "bot", "Handled by the assistant"
        WAITING = "waiting", "Waiting for a human"
        HUMAN = "human", "Handled by staff"
        CLOSED = "closed", "Closed"

    class Language(models.TextChoices):
        SPANISH = "es", "Español"
        ENGLISH = "en", "English"

    channel = models.CharField(max_length=16, choices=Channel.choices)
    # The channel's own address of the customer (WhatsApp number); empty for web visitors.
    external_id = models.CharField(max_length=64, blank=True, default="")
    # By value (customers.Customer id): the conversation starts before the customer is known.
    customer_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.SPANISH)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.BOT)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_conversations",
    )
    last_customer_message_at = models.DateTimeField(null=True, blank=True)
    last_message_at = models.DateTimeField(null=True, blank=True, db_index=True)
    llm_prompt_tokens = models.PositiveIntegerField(default=0)
    llm_completion_tokens = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-last_message_at", "-id"]
        indexes = [models.Index(fields=["status", "-last_message_at"])]

    def __str__(self) -> str:
        return f"{self.channel} conversation {self.pk} ({self.status})"


class Message(models.Model):
    class Direction(models.TextChoices):
        INBOUND = "in", "From the customer"
        OUTBOUND = "out", "To the customer"

    class Sender(models.TextChoices):
        CUSTOMER = "customer", "Customer"
        BOT = "bot", "Assistant"
        STAFF = "staff", "Staff"
        SYSTEM = "system", "System"

    class Delivery(models.TextChoices):
        RECEIVED = "received", "Received"
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        DELIVERED = "delivered", "Delivered"
        READ = "read", "Read"
        FAILED = "failed", "Failed"

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    # Copied from the conversation so provider ids can be unique per channel in one index.
    channel = models.CharField(max_length=16, choices=Channel.choices)
    direction = models.CharField(max_length=3, choices=Direction.choices)
    sender = models.CharField(max_length=16, choices=Sender.choices)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.TextField()
    provider_message_id = models.CharField(max_length=128, blank=True, default="")
    delivery_status = models.CharField(
        max_length=16, choices=Delivery.choices, default=Delivery.SENT
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "provider_message_id"],
                condition=~Q(provider_message_id=""),
                name="message_provider_id_unique_per_channel",
            )
        ]

    def __str__(self) -> str:
        return f"{self.sender}: {self.text[:40]}"
