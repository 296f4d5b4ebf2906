"""Template filters shared by the panel and the public page: money and translated texts."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.translation import get_language

from core.i18n import localized
from tenant_apps.panel.menu_forms import ALLERGEN_LABELS, DIETARY_LABELS

register = template.Library()

CURRENCY_SYMBOLS = {
    "EUR": "€",
    "USD": "$",
    "MXN": "$",
    "GBP": "£",
    "ARS": "$",
    "COP": "$",
    "CLP": "$",
}


@register.filter
def money(value: Any, currency: str) -> str:
    """`10.5|money:"EUR"` -> "10,50 €" in Spanish, "€10.50" in English."""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return ""
    symbol = CURRENCY_SYMBOLS.get(str(currency).upper(), str(currency))
    sign = "-" if amount < 0 else ""
    whole, cents = f"{abs(amount):.2f}".split(".")
    if (get_language() or "es").startswith("es"):
        grouped = f"{int(whole):,}".replace(",", ".")
        return f"{sign}{grouped},{cents} {symbol}"
    return f"{sign}{symbol}{int(whole):,}.{cents}"


@register.filter
def text_in(texts: Any, language: str = "") -> str:
    """A `{"es": ..., "en": ...}` text in the active (or given) language, with fallbacks."""
    return localized(texts if isinstance(texts, dict) else {}, language or get_language() or "es")


@register.filter
def allergen_label(code: str) -> str:
    return str(ALLERGEN_LABELS.get(code, code))


@register.filter
def dietary_label(code: str) -> str:
    return str(DIETARY_LABELS.get(code, code))
