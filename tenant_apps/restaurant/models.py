"""The restaurant's own profile and opening hours, in its schema.

The public registry (tenants.Restaurant) knows the restaurant's onboarding values; the profile
here is what the restaurant edits and what the rest of its schema (assistant, reservations,
orders) reads.
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q


def default_languages() -> list[str]:
    return ["es", "en"]


class RestaurantProfile(models.Model):
    # A constant unique column makes the table hold at most one row.
    singleton = models.BooleanField(default=True, unique=True, editable=False)
    name = models.CharField(max_length=120)
    address = models.CharField(max_length=255, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    timezone = models.CharField(max_length=64, default="Europe/Madrid")
    currency = models.CharField(max_length=3, default="EUR")
    languages = ArrayField(models.CharField(max_length=2), default=default_languages)
    default_language = models.CharField(max_length=2, default="es")
    assistant_name = models.CharField(max_length=60, default="Dysa")
    assistant_greeting = models.JSONField(default=dict, blank=True)
    assistant_persona = models.TextField(blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(singleton=True), name="restaurant_profile_singleton"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OpeningHours(models.Model):
    """One shift on one weekday; several per day make split shifts, none make a closed day.

    A shift whose closing time is not after its opening time ends the next day (20:00-02:00).
    """

    weekday = models.PositiveSmallIntegerField(help_text="0 = Monday ... 6 = Sunday")
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="opening_hours_weekday_range"),
            models.UniqueConstraint(fields=["weekday", "opens"], name="opening_hours_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.weekday} {self.opens:%H:%M}-{self.closes:%H:%M}"


class ClosedDate(models.Model):
    """A date the restaurant is closed whatever its weekly hours say (holidays, events)."""

    date = models.DateField(unique=True)
    reason = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.reason}".strip()
