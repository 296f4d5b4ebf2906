"""What billing's APIs show and accept."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from core.api import StrictInputSerializer
from shared_apps.billing.models import (
    BillingEvent,
    Invoice,
    InvoiceLine,
    Plan,
    Subscription,
    UsageDay,
)

PLAN_FIELDS = [
    "code",
    "name_es",
    "name_en",
    "monthly_price",
    "currency",
    "trial_days",
    "staff_seats",
    "menu_items",
    "conversations_per_month",
    "conversation_overage_price",
    "model_tokens_included",
    "model_tokens_overage_price_per_1k",
    "whatsapp_allowed",
    "llm_allowed",
    "stripe_price_id",
    "is_public",
]


class PlanSerializer(serializers.ModelSerializer[Plan]):
    class Meta:
        model = Plan
        fields = [*PLAN_FIELDS, "updated"]
        read_only_fields = ["updated"]


class PlanWriteSerializer(StrictInputSerializer, serializers.ModelSerializer[Plan]):
    class Meta:
        model = Plan
        fields = PLAN_FIELDS


class SubscriptionSerializer(serializers.ModelSerializer[Subscription]):
    restaurant = serializers.CharField(source="restaurant.slug")
    plan = serializers.CharField(source="plan.code")
    next_plan = serializers.CharField(source="next_plan.code", allow_null=True, default=None)

    class Meta:
        model = Subscription
        fields = [
            "restaurant",
            "plan",
            "next_plan",
            "status",
            "payment_provider",
            "country",
            "billing_email",
            "trial_ends_at",
            "current_period_start",
            "current_period_end",
            "cancel_at_period_end",
            "past_due_since",
            "suspended_for_nonpayment",
            "stripe_customer_id",
            "stripe_subscription_id",
            "stripe_sync_pending",
            "terms",
        ]


class SubscriptionChangeSerializer(StrictInputSerializer):
    plan = serializers.SlugField(required=False, max_length=32)
    payment_provider = serializers.ChoiceField(
        choices=Subscription.Provider.choices, required=False
    )
    country = serializers.RegexField(r"^[A-Za-z]{2}$", required=False)
    billing_email = serializers.EmailField(required=False, allow_blank=True)
    cancel_at_period_end = serializers.BooleanField(required=False)


class InvoiceLineSerializer(serializers.ModelSerializer[InvoiceLine]):
    class Meta:
        model = InvoiceLine
        fields = ["kind", "description", "quantity", "unit_price", "amount"]


class InvoiceSerializer(serializers.ModelSerializer[Invoice]):
    number = serializers.CharField(source="display_number")
    lines = InvoiceLineSerializer(many=True)

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "kind",
            "status",
            "restaurant_slug",
            "customer_name",
            "country",
            "period_start",
            "period_end",
            "currency",
            "subtotal",
            "tax_rate",
            "tax",
            "total",
            "payment_provider",
            "issued_at",
            "due_at",
            "paid_at",
            "voided_at",
            "payment_attempts",
            "last_payment_error",
            "lines",
        ]


class SubscriptionQuery(serializers.Serializer[None]):
    status = serializers.ChoiceField(choices=Subscription.Status.choices, required=False)


class InvoiceQuery(serializers.Serializer[None]):
    restaurant = serializers.SlugField(required=False)
    status = serializers.ChoiceField(choices=Invoice.Status.choices, required=False)


class VoidSerializer(StrictInputSerializer):
    reason = serializers.CharField(required=False, default="", allow_blank=True, max_length=200)


class UsageQuery(serializers.Serializer[None]):
    start = serializers.DateField(required=False, help_text="first day (default: period start)")
    end = serializers.DateField(required=False, help_text="day after the last (default: today)")


class UsageRefreshSerializer(StrictInputSerializer):
    start = serializers.DateField()
    end = serializers.DateField()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError({"end": ["Must be after start."]})
        if (attrs["end"] - attrs["start"]).days > 400:
            raise serializers.ValidationError({"end": ["At most 400 days at once."]})
        return attrs


class UsageDaySerializer(serializers.ModelSerializer[UsageDay]):
    class Meta:
        model = UsageDay
        fields = [
            "day",
            "conversations",
            "orders",
            "reservations",
            "model_tokens",
            "messages",
            "counted_at",
        ]


class BillingEventSerializer(serializers.ModelSerializer[BillingEvent]):
    class Meta:
        model = BillingEvent
        fields = ["id", "action", "actor", "detail", "created"]


# The shape of GET /api/v1/billing/ (restaurant_api.billing_overview), for the schema.
class BillingOverviewPlanSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    monthly_price = serializers.DecimalField(max_digits=10, decimal_places=2)
    currency = serializers.CharField()
    whatsapp_allowed = serializers.BooleanField()
    llm_allowed = serializers.BooleanField()


class BillingPeriodSerializer(serializers.Serializer[Any]):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class BillingLimitSerializer(serializers.Serializer[Any]):
    used = serializers.IntegerField()
    limit = serializers.IntegerField(allow_null=True, help_text="null: unlimited")
    reached = serializers.BooleanField()


class BillingLimitsSerializer(serializers.Serializer[Any]):
    staff_seats = BillingLimitSerializer()
    menu_items = BillingLimitSerializer()
    conversations_per_month = BillingLimitSerializer()


class BillingUsageSerializer(serializers.Serializer[Any]):
    orders = serializers.IntegerField()
    reservations = serializers.IntegerField()
    model_tokens = serializers.IntegerField()
    messages = serializers.DictField(
        child=serializers.DictField(child=serializers.IntegerField()),
        help_text='Per channel: {"web": {"in": 3, "out": 4}}',
    )


class BillingOverviewSerializer(serializers.Serializer[Any]):
    plan = BillingOverviewPlanSerializer()
    next_plan = serializers.CharField(allow_null=True)
    status = serializers.CharField()
    trial_ends_at = serializers.DateTimeField(allow_null=True)
    current_period = BillingPeriodSerializer()
    cancel_at_period_end = serializers.BooleanField()
    limits = BillingLimitsSerializer()
    usage = BillingUsageSerializer(help_text="Metered usage of the period's finished days")
    conversations_handed_to_staff = serializers.BooleanField()
