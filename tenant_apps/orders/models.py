from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.i18n import localized


class Order(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        CONFIRMED = "confirmed", "Confirmed"
        PREPARING = "preparing", "Preparing"
        READY = "ready", "Ready"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    class Type(models.TextChoices):
        PICKUP = "pickup", "Pickup"
        DELIVERY = "delivery", "Delivery"
        DINE_IN = "dine_in", "Dine-in"

    class Channel(models.TextChoices):
        WEB = "web", "Web chat"
        WHATSAPP = "whatsapp", "WhatsApp"
        STAFF = "staff", "Staff"
        API = "api", "API"

    # Sequential per restaurant (one schema = one restaurant), gapless: see OrderCounter.
    number = models.PositiveIntegerField(unique=True)
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    order_type = models.CharField(max_length=10, choices=Type.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    table = models.CharField(max_length=20, blank=True)
    address = models.CharField(max_length=255, blank=True)
    requested_time = models.DateTimeField(null=True, blank=True)
    currency = models.CharField(max_length=3)
    subtotal = models.DecimalField(max_digits=10, decimal_places=2)
    discount = models.DecimalField(max_digits=10, decimal_places=2)
    total = models.DecimalField(max_digits=10, decimal_places=2)
    promotion = models.ForeignKey(
        "promotions.Promotion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    promotion_code = models.CharField(max_length=32, blank=True)
    notes = models.TextField(blank=True)
    cancel_reason = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-number"]
        indexes = [
            models.Index(fields=["status", "-created"], name="order_status_created_idx"),
            models.Index(fields=["customer", "-created"], name="order_customer_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(total__gte=0) & Q(discount__gte=0), name="order_totals_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number}"


class OrderLine(models.Model):
    """A line as it was ordered: name, unit price and options are copies, not references,
    so later menu edits never change a past order."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(
        "menu.MenuItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.JSONField()
    quantity = models.PositiveSmallIntegerField()
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    options = models.JSONField(default=list, blank=True)
    line_total = models.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.quantity} x {localized(self.name, 'es')}"

    def name_in(self, language: str) -> str:
        return localized(self.name, language)


class OrderStatusChange(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    reason = models.CharField(max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.from_status or '-'} -> {self.to_status}"


class OrderCounter(models.Model):
    """The last order number handed out; its row lock orders concurrent order creations."""

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.last_number)
