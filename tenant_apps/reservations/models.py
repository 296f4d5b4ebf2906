from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q


class ReservationSettings(models.Model):
    """How the restaurant takes bookings. Its row lock also serialises booking writes."""

    class CapacityMode(models.TextChoices):
        COVERS = "covers", "Total covers"
        TABLES = "tables", "Individual tables"

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    capacity_mode = models.CharField(
        max_length=8, choices=CapacityMode.choices, default=CapacityMode.COVERS
    )
    total_covers = models.PositiveIntegerField(default=40, validators=[MaxValueValidator(10000)])
    slot_interval_minutes = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(5), MaxValueValidator(240)]
    )
    default_duration_minutes = models.PositiveSmallIntegerField(
        default=90, validators=[MinValueValidator(15), MaxValueValidator(720)]
    )
    min_party_size = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])
    max_party_size = models.PositiveSmallIntegerField(default=12, validators=[MinValueValidator(1)])
    booking_window_days = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    min_notice_minutes = models.PositiveSmallIntegerField(default=30)
    auto_confirm = models.BooleanField(default=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "reservation settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(max_party_size__gte=F("min_party_size")),
                name="reservation_settings_party_bounds",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.capacity_mode} ({self.total_covers} covers)"


class Table(models.Model):
    name = models.CharField(max_length=40, unique=True)
    capacity = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    area = models.CharField(max_length=40, blank=True)
    is_active = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.capacity})"


class Reservation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        CONFIRMED = "confirmed", "Confirmed"
        SEATED = "seated", "Seated"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"
        NO_SHOW = "no_show", "No-show"

    class Channel(models.TextChoices):
        WEB = "web", "Web chat"
        WHATSAPP = "whatsapp", "WhatsApp"
        STAFF = "staff", "Staff"
        API = "api", "API"
        PHONE = "phone", "Phone"

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="reservations"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    party_size = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CONFIRMED)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    table = models.ForeignKey(
        Table, null=True, blank=True, on_delete=models.SET_NULL, related_name="reservations"
    )
    notes = models.TextField(blank=True)
    cancel_reason = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["starts_at", "ends_at"], name="reservation_window_idx"),
            models.Index(fields=["customer", "starts_at"], name="reservation_customer_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="reservation_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M} x{self.party_size}"
