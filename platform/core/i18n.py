"""Texts stored in several languages: `{"es": "...", "en": "..."}` JSON values.

Menu items, categories, promotions and the assistant greeting keep one text per language
the restaurant speaks; readers ask for a language and fall back to any text there is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

SUPPORTED_LANGUAGES: Final[tuple[str, ...]] = tuple(code for code, _ in settings.LANGUAGES)


def localized(texts: Mapping[str, str] | None, language: str, fallbacks: Sequence[str] = ()) -> str:
    """The text in `language`, else in the first fallback that has one, else any text."""
    if not texts:
        return ""
    for code in (language, *fallbacks, *SUPPORTED_LANGUAGES):
        text = texts.get(code)
        if text:
            return text
    return next((text for text in texts.values() if text), "")


def clean_translations(
    value: Any, *, field: str, max_length: int, required: bool
) -> dict[str, str]:
    """Validate a `{language: text}` mapping; raises ValueError with a readable message."""
    if not isinstance(value, dict):
        raise ValueError(f'{field}: expected an object like {{"es": "...", "en": "..."}}')
    cleaned: dict[str, str] = {}
    for code, raw in value.items():
        if code not in SUPPORTED_LANGUAGES:
            raise ValueError(f"{field}: unsupported language {code!r} (use {SUPPORTED_LANGUAGES})")
        if not isinstance(raw, str):
            raise ValueError(f"{field}.{code}: must be a string")
        text = raw.strip()
        if len(text) > max_length:
            raise ValueError(f"{field}.{code}: at most {max_length} characters")
        if text:
            cleaned[code] = text
    if required and not cleaned:
        raise ValueError(f"{field}: a text in at least one language is required")
    return cleaned


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {"type": "string"},
        "example": {"es": "Tacos al pastor", "en": "Al pastor tacos"},
    }
)
class TranslatedTextField(serializers.Field):  # type: ignore[type-arg]
    """`{"es": "...", "en": "..."}` in and out of the API, validated per language."""

    def __init__(self, *, max_length: int = 200, **kwargs: Any) -> None:
        self.max_length = max_length
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> dict[str, str]:
        try:
            return clean_translations(
                data,
                field=self.field_name or "text",
                max_length=self.max_length,
                required=self.required,
            )
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from exc

    def to_representation(self, value: Any) -> dict[str, str]:
        return dict(value or {})
