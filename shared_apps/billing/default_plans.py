"""The three plans dysa starts with (seeded by migration 0002; operators edit them after)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Final

DEFAULT_PLANS: Final[list[dict[str, Any]]] = [
    {
        "code": "starter",
        "name_es": "Inicial",
        "name_en": "Starter",
        "monthly_price": Decimal("29.00"),
        "staff_seats": 3,
        "menu_items": 100,
        "conversations_per_month": 300,
        "conversation_overage_price": Decimal("0"),
        "model_tokens_included": None,
        "model_tokens_overage_price_per_1k": Decimal("0"),
        "whatsapp_allowed": False,
        "llm_allowed": False,
    },
    {
        "code": "pro",
        "name_es": "Profesional",
        "name_en": "Pro",
        "monthly_price": Decimal("79.00"),
        "staff_seats": 10,
        "menu_items": 500,
        "conversations_per_month": 2000,
        "conversation_overage_price": Decimal("0.05"),
        "model_tokens_included": 2_000_000,
        "model_tokens_overage_price_per_1k": Decimal("0.002"),
        "whatsapp_allowed": True,
        "llm_allowed": True,
    },
    {
        "code": "business",
        "name_es": "Empresa",
        "name_en": "Business",
        "monthly_price": Decimal("199.00"),
        "staff_seats": None,
        "menu_items": None,
        "conversations_per_month": 10000,
        "conversation_overage_price": Decimal("0.03"),
        "model_tokens_included": 10_000_000,
        "model_tokens_overage_price_per_1k": Decimal("0.0015"),
        "whatsapp_allowed": True,
        "llm_allowed": True,
    },
]
