"""Phone numbers in E.164, the one form customers are stored and matched by.

WhatsApp names some countries' mobiles in forms of its own: Mexico's as `521` + ten digits
(the mobile `1` Mexico dropped from E.164 in 2019) and Argentina's as `549` + area + number
(the mobile `9` that international dialling needs, while Argentines often write the number
without it). `normalize_phone` turns Mexico's into E.164; for Argentina both forms are valid
E.164 numbers of the same line, so `phone_variants` lists both and customers are matched by
either: one person is one customer whether they wrote their number on the web or WhatsApp.
"""

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
    text = _without_mexican_mobile_one(text)
    try:
        number = phonenumbers.parse(
            text, None if text.startswith("+") else (region or restaurant_region())
        )
    except phonenumbers.NumberParseException as exc:
        raise ValidationError({"phone": [f"Not a phone number: {raw!r}."]}) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError({"phone": [f"Not a valid phone number: {raw!r}."]})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_MEXICO_WHATSAPP_MOBILE = "+521"


def _without_mexican_mobile_one(text: str) -> str:
    """`+521 55 1234 5678` (WhatsApp's Mexican mobile form) -> `+52 55 1234 5678`."""
    digits = "+" + "".join(ch for ch in text if ch.isdigit()) if text.startswith("+") else text
    if digits.startswith(_MEXICO_WHATSAPP_MOBILE) and len(digits) == 14:
        return "+52" + digits[4:]
    return text


def phone_variants(e164: str) -> list[str]:
    """The E.164 forms one line can be written in: itself, and for Argentina the mobile form
    with the `9` after the country code and the one without (+54911... and +5411...)."""
    variants = [e164]
    if e164.startswith("+549"):
        variants.append("+54" + e164[4:])
    elif e164.startswith("+54"):
        with_nine = "+549" + e164[3:]
        try:
            number = phonenumbers.parse(with_nine, None)
        except phonenumbers.NumberParseException:
            return variants
        if phonenumbers.is_valid_number(number):
            variants.append(with_nine)
    return variants


def whatsapp_phone(address: str) -> str:
    """The customer's E.164 number from a WhatsApp address (`whatsapp:+5215512345678`,
    Meta's wa_id `5491123456789`), or a ValidationError."""
    text = address.removeprefix("whatsapp:").strip()
    if text and not text.startswith("+"):
        text = "+" + text
    return normalize_phone(text)
