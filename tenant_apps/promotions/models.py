from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from core.i18n import localized


class Promotion(models.Model):
    """A discount, by code or automatic, optionally limited in time, uses and scope."""

    class Kind(models.TextChoices):
        PERCENT = "percent", "Percent off"
        FIXED = "fixed", "Fixed amount off"

    name = models.JSONField()
    description = models.JSONField(default=dict, blank=True)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    value = models.DecimalField(
        max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    # No code: applied automatically to every order that qualifies.
    code = models.CharField(max_length=32, unique=True, null=True, blank=True)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    min_order_total = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    max_redemptions = models.PositiveIntegerField(null=True, blank=True)
    max_redemptions_per_customer = models.PositiveIntegerField(null=True, blank=True)
    # Empty scope means the whole order; otherwise only lines of these categories/items count.
    categories = models.ManyToManyField("menu.Category", blank=True, related_name="+")
    items = models.ManyToManyField("menu.MenuItem", blank=True, related_name="+")
    is_active = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="percent") | Q(value__lte=100), name="promotion_percent_max_100"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True)
                | Q(starts_at__isnull=True)
                | Q(ends_at__gt=models.F("starts_at")),
                name="promotion_window_order",
            ),
        ]

    def __str__(self) -> str:
        return localized(self.name, "es")

    @property
    def is_automatic(self) -> bool:
        return not self.code

    def name_in(self, language: str) -> str:
        return localized(self.name, language)

    def description_in(self, language: str) -> str:
        return localized(self.description, language)


class PromotionRedemption(models.Model):
    """One use of a promotion by one order; released when the order is cancelled."""

    promotion = models.ForeignKey(Promotion, on_delete=models.CASCADE, related_name="redemptions")
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # By value: the orders app refers to promotions, not the other way round.
    order_id = models.BigIntegerField(unique=True)
    discount = models.DecimalField(max_digits=10, decimal_places=2)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.promotion_id} -> order {self.order_id}"
