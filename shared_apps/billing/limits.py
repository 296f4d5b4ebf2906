"""Plan limits where they bite: the restaurant apps ask here before they add something.

The caller counts what it has (staff seats, menu items, conversations this period) and this
module compares with the subscription's terms for the current period. A restaurant without a
subscription (none was ever started) has no limits. Over a limit is a 402 problem whose `type`
ends in `/plan-limit` and that names the limit, the plan and the figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from enum import StrEnum
from typing import Final

from rest_framework import status
from rest_framework.exceptions import APIException

from core.db import current_schema_name
from shared_apps.billing.models import Subscription
from shared_apps.billing.terms import PlanTerms

PLAN_LIMIT_TYPE: Final = "https://dysa.app/problems/plan-limit"


class Limit(StrEnum):
    STAFF_SEATS = "staff_seats"
    MENU_ITEMS = "menu_items"
    CONVERSATIONS = "conversations_per_month"


class Feature(StrEnum):
    WHATSAPP = "whatsapp"
    LLM = "llm"


_LIMIT_WORDS: Final = {
    Limit.STAFF_SEATS: "staff seats",
    Limit.MENU_ITEMS: "menu items",
    Limit.CONVERSATIONS: "assistant conversations this month",
}
_FEATURE_WORDS: Final = {Feature.WHATSAPP: "WhatsApp", Feature.LLM: "a language model provider"}


class PlanLimitExceededError(APIException):
    status_code = status.HTTP_402_PAYMENT_REQUIRED
    default_detail = "Your plan does not allow this."
    default_code = "plan_limit"

    def __init__(
        self, *, plan: str, limit: str, detail: str, allowed: int | None, in_use: int | None
    ) -> None:
        super().__init__(detail)
        self.problem_extra = {
            "type": PLAN_LIMIT_TYPE,
            "title": "Plan limit reached",
            "plan": plan,
            "limit": limit,
            "allowed": allowed,
            "in_use": in_use,
        }


def subscription_for_schema(schema_name: str, *, lock: bool = False) -> Subscription | None:
    queryset = Subscription.objects.filter(restaurant__schema_name=schema_name)
    if lock:
        # Serializes concurrent additions in one restaurant (two invitations at once).
        queryset = queryset.select_for_update(of=("self",))
    found: Subscription | None = queryset.first()
    return found


def _current_terms(*, lock: bool = False) -> PlanTerms | None:
    subscription = subscription_for_schema(current_schema_name(), lock=lock)
    if subscription is None or not subscription.terms:
        return None
    return PlanTerms.from_json(subscription.terms)


def plan_limit_enforce(*, limit: Limit, in_use: int) -> None:
    """Refuse adding one more when `in_use` already reaches the plan's limit.

    Call inside the adding transaction: the subscription row stays locked until it commits,
    so two concurrent additions cannot both take the last place.
    """
    terms = _current_terms(lock=True)
    if terms is None:
        return
    allowed: int | None = getattr(terms, limit.value)
    if allowed is not None and in_use >= allowed:
        raise PlanLimitExceededError(
            plan=terms.code,
            limit=limit.value,
            allowed=allowed,
            in_use=in_use,
            detail=f"The {terms.code} plan includes {allowed} {_LIMIT_WORDS[limit]}; "
            f"{in_use} are in use. Upgrade the plan to add more.",
        )


def _allows(terms: PlanTerms, feature: Feature) -> bool:
    return terms.whatsapp_allowed if feature is Feature.WHATSAPP else terms.llm_allowed


def plan_feature_allowed(feature: Feature) -> bool:
    """Whether the current restaurant's plan includes `feature` (no subscription: yes)."""
    terms = _current_terms()
    return terms is None or _allows(terms, feature)


def plan_feature_enforce(*, feature: Feature) -> None:
    """Refuse a feature the restaurant's plan does not include."""
    terms = _current_terms()
    if terms is None:
        return
    if not _allows(terms, feature):
        raise PlanLimitExceededError(
            plan=terms.code,
            limit=feature.value,
            allowed=None,
            in_use=None,
            detail=f"The {terms.code} plan does not include {_FEATURE_WORDS[feature]}. "
            "Upgrade the plan to use it.",
        )


@dataclass(frozen=True)
class ConversationQuota:
    """A hard monthly cap on assistant conversations: beyond `allowed` conversations started
    since `since`, new conversations go to staff."""

    allowed: int
    since: datetime


def usage_window_start(period_start: datetime) -> datetime:
    """Usage is counted by whole UTC days: a period's usage starts at its first day's 00:00."""
    return datetime.combine(period_start.astimezone(UTC).date(), time.min, tzinfo=UTC)


def conversation_quota() -> ConversationQuota | None:
    """The current restaurant's hard conversation cap, or None (unlimited, or overage billed)."""
    subscription = subscription_for_schema(current_schema_name())
    if subscription is None or not subscription.terms:
        return None
    terms = PlanTerms.from_json(subscription.terms)
    if not terms.hard_conversation_cap or terms.conversations_per_month is None:
        return None
    return ConversationQuota(
        allowed=terms.conversations_per_month,
        since=usage_window_start(subscription.current_period_start),
    )
