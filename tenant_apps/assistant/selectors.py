"""Reads about the assistant's configuration (the engine settings themselves are read by
`assistant.llm.engine.assistant_settings_get`, cached, on every turn)."""

from __future__ import annotations

from core.db import current_schema_name
from tenant_apps.assistant.llm.engine import LLM_API_KEY
from tenants.secrets import secret_kinds


def assistant_api_key_is_set() -> bool:
    """Whether the model server's API key is stored (its value is never read back here)."""
    return any(
        row["kind"] == LLM_API_KEY and row["current"]
        for row in secret_kinds(schema_name=current_schema_name())
    )
