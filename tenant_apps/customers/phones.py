"""Phone numbers in E.164, the one form customers are stored and matched by."""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError

# Numbers written without a country code are read as Spanish ones: the product's home market.
DEFAULT_REGION = "ES"


def normalize_phone(raw: str, *, region: str = DEFAULT_REGION) -> str:
    """`+34 612 34 56 78`, `0034612345678`, `612345678` -> `+34612345678`, or a ValidationError."""
    text = (raw or "").strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, None if text.startswith("+") else region)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError({"phone": [f"Not a phone number: {raw!r}."]}) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError({"phone": [f"Not a valid phone number: {raw!r}."]})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
