"""Staff API: which engine answers this restaurant's customers.

GET   /api/v1/assistant/settings/  -> the settings, `api_key_set` instead of the key
PATCH /api/v1/assistant/settings/  any of the fields below; `api_key` is write-only (null
                                   removes it) and is stored as the tenant secret `llm_api_key`

Both need `assistant.manage` (owner and manager by default): the settings decide where
customers' messages are sent, and only those who may change that need to see them.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import StrictInputSerializer
from core.views import TenantApiView
from tenant_apps.assistant.llm.engine import assistant_settings_get
from tenant_apps.assistant.models import AssistantSettings
from tenant_apps.assistant.selectors import assistant_api_key_is_set
from tenant_apps.assistant.services import (
    MAX_URL_LENGTH,
    TEMPERATURE_RANGE,
    TIMEOUT_RANGE,
    assistant_engine_configure,
)

TAGS = ["assistant"]
MAX_API_KEY_LENGTH = 500


class SettingsIn(StrictInputSerializer):
    provider = serializers.ChoiceField(
        choices=AssistantSettings.Provider.choices,
        required=False,
        help_text="rules (offline, no model), ollama (/api/chat) or openai (any "
        "OpenAI-compatible /v1/chat/completions)",
    )
    base_url = serializers.CharField(
        max_length=MAX_URL_LENGTH,
        allow_blank=True,
        required=False,
        help_text="http(s) URL of the model server, e.g. http://ollama:11434 or "
        "https://api.openai.com/v1; no credentials in it (use api_key)",
    )
    model = serializers.CharField(max_length=120, allow_blank=True, required=False)
    tool_mode = serializers.ChoiceField(
        choices=AssistantSettings.ToolMode.choices,
        required=False,
        help_text="auto: tools when the model supports them, else JSON schema output; "
        "tools: always tools; json: tools off (JSON schema output)",
    )
    stream = serializers.BooleanField(required=False)
    timeout_seconds = serializers.FloatField(
        min_value=TIMEOUT_RANGE[0], max_value=TIMEOUT_RANGE[1], required=False
    )
    temperature = serializers.FloatField(
        min_value=TEMPERATURE_RANGE[0], max_value=TEMPERATURE_RANGE[1], required=False
    )
    api_key = serializers.CharField(
        max_length=MAX_API_KEY_LENGTH,
        allow_null=True,
        required=False,
        trim_whitespace=False,
        write_only=True,
        help_text="write-only; stored encrypted as a tenant secret; null removes it",
    )


class SettingsOut(serializers.Serializer[Any]):
    provider = serializers.ChoiceField(choices=AssistantSettings.Provider.choices)
    base_url = serializers.CharField()
    model = serializers.CharField()
    tool_mode = serializers.ChoiceField(choices=AssistantSettings.ToolMode.choices)
    stream = serializers.BooleanField()
    timeout_seconds = serializers.FloatField()
    temperature = serializers.FloatField()
    api_key_set = serializers.BooleanField(help_text="whether an API key is stored")
    updated = serializers.DateTimeField(allow_null=True)


def _settings_body() -> dict[str, Any]:
    settings = assistant_settings_get()
    return {
        "provider": settings.provider,
        "base_url": settings.base_url,
        "model": settings.model,
        "tool_mode": settings.tool_mode,
        "stream": settings.stream,
        "timeout_seconds": settings.timeout_seconds,
        "temperature": settings.temperature,
        "api_key_set": assistant_api_key_is_set(),
        "updated": settings.updated.isoformat() if settings.updated else None,
    }


class AssistantSettingsApi(TenantApiView):
    required_permissions = {"GET": "assistant.manage", "PATCH": "assistant.manage"}

    @extend_schema(tags=TAGS, responses=SettingsOut)
    def get(self, request: Request) -> Response:
        return Response(_settings_body())

    @extend_schema(tags=TAGS, request=SettingsIn, responses=SettingsOut)
    def patch(self, request: Request) -> Response:
        data = SettingsIn(data=request.data)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        key_given = "api_key" in changes
        api_key = changes.pop("api_key", None)
        if not changes and not key_given:
            return Response(_settings_body())
        assistant_engine_configure(
            actor=self.actor, changes=changes, api_key_given=key_given, api_key=api_key
        )
        return Response(_settings_body())
