"""A plan's terms as a subscription holds them for one period, and the period calendar."""

from __future__ import annotations

import calendar
from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from shared_apps.billing.models import Plan


@dataclass(frozen=True)
class PlanTerms:
    """Price and limits in force for a period (None: unlimited)."""

    code: str
    monthly_price: Decimal
    currency: str
    staff_seats: int | None
    menu_items: int | None
    conversations_per_month: int | None
    conversation_overage_price: Decimal
    model_tokens_included: int | None
    model_tokens_overage_price_per_1k: Decimal
    whatsapp_allowed: bool
    llm_allowed: bool

    @classmethod
    def of(cls, plan: Plan) -> PlanTerms:
        return cls(
            code=plan.code,
            monthly_price=Decimal(plan.monthly_price),
            currency=plan.currency,
            staff_seats=plan.staff_seats,
            menu_items=plan.menu_items,
            conversations_per_month=plan.conversations_per_month,
            conversation_overage_price=Decimal(plan.conversation_overage_price),
            model_tokens_included=plan.model_tokens_included,
            model_tokens_overage_price_per_1k=Decimal(plan.model_tokens_overage_price_per_1k),
            whatsapp_allowed=plan.whatsapp_allowed,
            llm_allowed=plan.llm_allowed,
        )

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PlanTerms:
        values = dict(data)
        for name in (
            "monthly_price",
            "conversation_overage_price",
            "model_tokens_overage_price_per_1k",
        ):
            values[name] = Decimal(str(values[name]))
        return cls(**values)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for name, value in data.items():
            if isinstance(value, Decimal):
                data[name] = str(value)
        return data

    @property
    def hard_conversation_cap(self) -> bool:
        """Beyond the quota, conversations go to staff (no overage price to bill them at)."""
        return self.conversations_per_month is not None and self.conversation_overage_price <= 0


def add_months(moment: datetime, months: int = 1) -> datetime:
    """The same day and time `months` later; the 31st becomes the month's last day."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)
