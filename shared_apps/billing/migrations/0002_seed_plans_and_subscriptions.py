"""Three plans, and Restaurant.plan made a plan code: every restaurant's free-text plan becomes
the code of a plan (unknown or empty: the default plan) and gets an active subscription."""

from __future__ import annotations

import calendar

from django.conf import settings
from django.db import migrations
from django.utils import timezone

from shared_apps.billing.default_plans import DEFAULT_PLANS


def _terms(plan) -> dict:
    return {
        "code": plan.code,
        "monthly_price": str(plan.monthly_price),
        "currency": plan.currency,
        "staff_seats": plan.staff_seats,
        "menu_items": plan.menu_items,
        "conversations_per_month": plan.conversations_per_month,
        "conversation_overage_price": str(plan.conversation_overage_price),
        "model_tokens_included": plan.model_tokens_included,
        "model_tokens_overage_price_per_1k": str(plan.model_tokens_overage_price_per_1k),
        "whatsapp_allowed": plan.whatsapp_allowed,
        "llm_allowed": plan.llm_allowed,
    }


def _next_month(moment):
    index = moment.month
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(
        year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1])
    )


def forwards(apps, schema_editor):
    Plan = apps.get_model("billing", "Plan")
    Subscription = apps.get_model("billing", "Subscription")
    Restaurant = apps.get_model("tenants", "Restaurant")
    plans = {}
    for data in DEFAULT_PLANS:
        plan, _ = Plan.objects.get_or_create(code=data["code"], defaults=data)
        plans[plan.code] = plan
    default = plans.get(settings.DYSA_BILLING_DEFAULT_PLAN, plans["pro"])
    now = timezone.now()
    for restaurant in Restaurant.objects.exclude(schema_name="public"):
        plan = plans.get(restaurant.plan, default)
        if restaurant.plan != plan.code:
            restaurant.plan = plan.code
            restaurant.save(update_fields=["plan"])
        Subscription.objects.get_or_create(
            restaurant=restaurant,
            defaults={
                "plan": plan,
                "terms": _terms(plan),
                "status": "active",
                "country": settings.DYSA_BILLING_DEFAULT_COUNTRY,
                "current_period_start": now,
                "current_period_end": _next_month(now),
            },
        )


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
