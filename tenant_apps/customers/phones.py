"""Phone numbers in E.164, the one form customers are stored and matched by."""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError

# Numbers written without a country code are read as the restaurant's own country's (taken
# from its phone number); Spanish when it has none: the product's home market.
DEFAULT_REGION = "ES"


def restaurant_region() -> str:
    """The country of the restaurant's own phone number ("GB" for +44 ...), else "ES"."""
    from tenant_apps.restaurant.selectors import restaurant_profile_get

    phone = restaurant_profile_get().phone
    if not phone:
        return DEFAULT_REGION
    try:
        number = phonenumbers.parse(phone, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return DEFAULT_REGION
    return phonenumbers.region_code_for_number(number) or DEFAULT_REGION


def example_phone(*, region: str | None = None) -> str:
    """A mobile number as customers of this region would write it with its country code."""
    number = phonenumbers.example_number_for_type(
        region or restaurant_region(), phonenumbers.PhoneNumberType.MOBILE
    )
    if number is None:
        return "+34 612 34 56 78"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def normalize_phone(raw: str, *, region: str | None = None) -> str:
    """`+34 612 34 56 78`, `0034612345678`, `612345678` -> `+34612345678`, or a ValidationError.

    Without a country code the number is read as one of `region` (by default the
    restaurant's country: `07911 123456` is British in a London restaurant).
    """
    text = (raw or "").strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(
            text, None if text.startswith("+") else (region or restaurant_region())
        )
    except phonenumbers.NumberParseException as exc:
        raise ValidationError({"phone": [f"Not a phone number: {raw!r}."]}) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError({"phone": [f"Not a valid phone number: {raw!r}."]})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
