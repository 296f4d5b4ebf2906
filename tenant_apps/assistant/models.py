"""The assistant's memory per conversation and the restaurant's engine settings."""

from __future__ import annotations

from django.db import models

from tenant_apps.conversations.models import Conversation


class DialogState(models.Model):
    """Slots, cart and what the assistant is waiting for; one row per conversation.

    JSON because its shape is the dialog manager's business (see assistant/engine/state.py),
    versioned inside the document so an old conversation can be resumed after an upgrade.
    """

    conversation = models.OneToOneField(
        Conversation, on_delete=models.CASCADE, related_name="dialog_state"
    )
    data = models.JSONField(default=dict)
    updated = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"dialog state of conversation {self.conversation_id}"


class AssistantSettings(models.Model):
    """Which engine answers: the offline rules engine, or a language model with it as fallback.

    One row per restaurant schema. The API key, when the provider needs one, is a tenant
    secret (kind `llm_api_key`), never stored here.
    """

    class Provider(models.TextChoices):
        RULES = "rules", "Rules engine (offline)"
        OLLAMA = "ollama", "Ollama"
        OPENAI = "openai", "OpenAI-compatible"

    class ToolMode(models.TextChoices):
        AUTO = "auto", "Tools if the model supports them, else JSON schema output"
        TOOLS = "tools", "Tools"
        JSON = "json", "JSON schema output"

    provider = models.CharField(max_length=16, choices=Provider.choices, default=Provider.RULES)
    base_url = models.URLField(max_length=300, blank=True, default="")
    model = models.CharField(max_length=120, blank=True, default="")
    tool_mode = models.CharField(max_length=8, choices=ToolMode.choices, default=ToolMode.AUTO)
    stream = models.BooleanField(default=False)
    timeout_seconds = models.FloatField(default=8.0)
    temperature = models.FloatField(default=0.2)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "assistant settings"

    def __str__(self) -> str:
        return f"assistant: {self.provider} {self.model}".strip()


class ModelCall(models.Model):
    """One language-model call: tokens, latency and outcome (usage and breaker diagnostics)."""

    class Outcome(models.TextChoices):
        OK = "ok", "OK"
        ERROR = "error", "Error"
        TIMEOUT = "timeout", "Timeout"
        INVALID = "invalid", "Invalid output"
        SKIPPED = "skipped", "Skipped (circuit open)"

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="model_calls"
    )
    provider = models.CharField(max_length=16)
    model = models.CharField(max_length=120)
    mode = models.CharField(max_length=8, blank=True, default="")
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    prompt_tokens = models.PositiveIntegerField(default=0)
    completion_tokens = models.PositiveIntegerField(default=0)
    latency_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True, default="")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.provider}/{self.model} {self.outcome}"
