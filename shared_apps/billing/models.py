"""Billing, in the public schema: plans, subscriptions, metered usage, invoices, Stripe events.

Public tables may point at the tenant registry (both live in `public`); tenant rows never point
here: they name a plan by its code (`Restaurant.plan`). Invoices keep a copy of who was billed,
so they outlive a purged restaurant (the foreign key is then set to null).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q

from tenants.models import Restaurant


class Plan(models.Model):
    """What a restaurant pays for and what it may use. Limits left empty are unlimited.

    Edits apply from each subscription's next period: a subscription keeps a copy of the
    terms it started its period with (`Subscription.terms`).
    """

    code = models.SlugField(max_length=32, unique=True)
    name_es = models.CharField(max_length=80)
    name_en = models.CharField(max_length=80)
    monthly_price = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3, default="EUR")
    trial_days = models.PositiveSmallIntegerField(default=14)
    staff_seats = models.PositiveIntegerField(null=True, blank=True)
    menu_items = models.PositiveIntegerField(null=True, blank=True)
    conversations_per_month = models.PositiveIntegerField(null=True, blank=True)
    # 0: conversations beyond the quota go to staff (hard cap). More: the assistant keeps
    # answering and each conversation beyond the quota is billed at this price.
    conversation_overage_price = models.DecimalField(
        max_digits=10, decimal_places=4, default=Decimal("0")
    )
    model_tokens_included = models.PositiveBigIntegerField(null=True, blank=True)
    model_tokens_overage_price_per_1k = models.DecimalField(
        max_digits=10, decimal_places=4, default=Decimal("0")
    )
    whatsapp_allowed = models.BooleanField(default=False)
    llm_allowed = models.BooleanField(default=False)
    # The Stripe Price the mirrored Stripe subscription uses (docs/billing.md).
    stripe_price_id = models.CharField(max_length=100, blank=True, default="")
    is_public = models.BooleanField(default=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["monthly_price", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(monthly_price__gte=0), name="billing_plan_price_not_negative"
            )
        ]

    def __str__(self) -> str:
        return self.code

    def name(self, language: str) -> str:
        return str(self.name_es if language == "es" else self.name_en)


class Subscription(models.Model):
    """One per restaurant: its plan, where it stands, and the period being used."""

    class Status(models.TextChoices):
        TRIALING = "trialing", "Trialing"
        ACTIVE = "active", "Active"
        PAST_DUE = "past_due", "Past due"
        CANCELLED = "cancelled", "Cancelled"

    class Provider(models.TextChoices):
        MANUAL = "manual", "Manual (operator marks invoices paid)"
        STRIPE = "stripe", "Stripe"

    restaurant = models.OneToOneField(
        Restaurant, on_delete=models.CASCADE, related_name="billing_subscription"
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    # The plan's terms (price, limits) as they were when this period started.
    terms = models.JSONField(default=dict)
    # A downgrade waiting for the end of the period.
    next_plan = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.TRIALING)
    payment_provider = models.CharField(
        max_length=16, choices=Provider.choices, default=Provider.MANUAL
    )
    country = models.CharField(max_length=2, default="ES")
    billing_email = models.EmailField(blank=True, default="")
    trial_ends_at = models.DateTimeField(null=True, blank=True)
    current_period_start = models.DateTimeField()
    current_period_end = models.DateTimeField(db_index=True)
    cancel_at_period_end = models.BooleanField(default=False)
    past_due_since = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_reminder_at = models.DateTimeField(null=True, blank=True)
    # The restaurant was suspended for not paying (reactivated when it pays).
    suspended_for_nonpayment = models.BooleanField(default=False)
    stripe_customer_id = models.CharField(max_length=100, blank=True, default="")
    stripe_subscription_id = models.CharField(max_length=100, blank=True, default="")
    # Stripe could not be reached: a Celery task retries the sync.
    stripe_sync_pending = models.BooleanField(default=False)
    # The `created` time of the last Stripe event applied to this subscription: older events
    # arriving late never undo newer ones.
    stripe_event_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["restaurant__slug"]

    def __str__(self) -> str:
        return f"{self.restaurant_id} on {self.plan_id} ({self.status})"


class UsageDay(models.Model):
    """What a restaurant used on one UTC day; re-counting a day replaces its row."""

    restaurant = models.ForeignKey(Restaurant, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    conversations = models.PositiveIntegerField(default=0)
    orders = models.PositiveIntegerField(default=0)
    reservations = models.PositiveIntegerField(default=0)
    model_tokens = models.PositiveBigIntegerField(default=0)
    # {"web": {"in": 3, "out": 5}, "whatsapp": {...}}
    messages = models.JSONField(default=dict)
    counted_at = models.DateTimeField()

    class Meta:
        ordering = ["restaurant_id", "day"]
        constraints = [
            models.UniqueConstraint(fields=["restaurant", "day"], name="billing_usage_day_unique")
        ]

    def __str__(self) -> str:
        return f"usage {self.restaurant_id} {self.day}"


class InvoiceCounter(models.Model):
    """The last number given in a series; its row lock makes numbers gapless."""

    series = models.CharField(max_length=20, primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.series}: {self.last_number}"


class Invoice(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open"
        PAID = "paid", "Paid"
        VOID = "void", "Void"

    class Kind(models.TextChoices):
        PERIOD = "period", "Period"
        PRORATION = "proration", "Upgrade proration"

    restaurant = models.ForeignKey(
        Restaurant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subscription = models.ForeignKey(
        Subscription, null=True, blank=True, on_delete=models.SET_NULL, related_name="invoices"
    )
    # Generating twice for the same reason finds this key and makes no second invoice.
    idempotency_key = models.CharField(max_length=160, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.PERIOD)
    # Who was billed, as it was then (kept after the restaurant is gone).
    restaurant_slug = models.CharField(max_length=63)
    customer_name = models.CharField(max_length=120)
    billing_email = models.EmailField(blank=True, default="")
    country = models.CharField(max_length=2)
    series = models.CharField(max_length=20, blank=True, default="")
    number = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    currency = models.CharField(max_length=3)
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2)
    subtotal = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    tax = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    total = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    payment_provider = models.CharField(max_length=16, default=Subscription.Provider.MANUAL)
    issued_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    stripe_payment_intent_id = models.CharField(max_length=100, blank=True, default="")
    stripe_event_at = models.DateTimeField(null=True, blank=True)
    payment_attempts = models.PositiveSmallIntegerField(default=0)
    last_payment_error = models.CharField(max_length=300, blank=True, default="")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "number"],
                condition=Q(number__isnull=False),
                name="billing_invoice_number_unique",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(number__isnull=False),
                name="billing_invoice_numbered_once_issued",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="billing_invoice_due_idx")]

    def __str__(self) -> str:
        return self.display_number or f"draft {self.pk}"

    @property
    def display_number(self) -> str:
        return f"{self.series}-{self.number:06d}" if self.number is not None else ""


class InvoiceLine(models.Model):
    class Kind(models.TextChoices):
        PLAN = "plan", "Plan"
        CONVERSATIONS = "conversations", "Conversations beyond the quota"
        MODEL_TOKENS = "model_tokens", "Model tokens beyond the included"
        PRORATION = "proration", "Upgrade proration"

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    description = models.CharField(max_length=200)
    quantity = models.DecimalField(max_digits=14, decimal_places=3)
    unit_price = models.DecimalField(max_digits=12, decimal_places=4)
    amount = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.description}: {self.amount}"


class StripeEvent(models.Model):
    """A Stripe webhook event, stored once by its id: a redelivery finds it and does nothing."""

    event_id = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=100)
    event_created = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class BillingEvent(models.Model):
    """The audit trail of billing: who changed what on a subscription or invoice, and why."""

    restaurant = models.ForeignKey(
        Restaurant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    restaurant_slug = models.CharField(max_length=63)
    action = models.CharField(max_length=60)
    # "operator:<email>", "system", "stripe", "owner:<email>"
    actor = models.CharField(max_length=200)
    detail = models.JSONField(default=dict)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["restaurant_slug", "-created"])]

    def __str__(self) -> str:
        return f"{self.restaurant_slug}: {self.action} by {self.actor}"
