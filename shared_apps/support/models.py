"""Support's public-schema tables: the cross-restaurant search index and access to restaurants.

The search index (ADR 0010) holds one row per searchable record of a restaurant (customer,
order, reservation, conversation): which restaurant (a foreign key, public to public, so the
label is always the registry's current slug), what kind, the record's id in that restaurant's
schema, a short summary and a text-search vector. It never holds conversation text, notes,
addresses or full phone numbers: only the lexemes needed to match and what a result line shows.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models

from tenants.models import Restaurant


class SearchEntry(models.Model):
    class Kind(models.TextChoices):
        CUSTOMER = "customer", "Customer"
        ORDER = "order", "Order"
        RESERVATION = "reservation", "Reservation"
        CONVERSATION = "conversation", "Conversation"

    restaurant = models.ForeignKey(Restaurant, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    object_id = models.BigIntegerField()
    summary = models.CharField(max_length=200)
    document = SearchVectorField()
    updated = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["restaurant", "kind", "object_id"], name="support_entry_unique"
            )
        ]
        indexes = [GinIndex(fields=["document"], name="support_entry_document")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} of restaurant {self.restaurant_id}"


class SearchCursor(models.Model):
    """How far each restaurant's records have been indexed (their `updated` time)."""

    restaurant = models.OneToOneField(Restaurant, on_delete=models.CASCADE, related_name="+")
    indexed_up_to = models.DateTimeField(null=True, blank=True)
    rebuilt_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"index of restaurant {self.restaurant_id} up to {self.indexed_up_to}"


class SupportWriteGrant(models.Model):
    """The owner's switch: may support change things while accessing this restaurant?"""

    restaurant = models.OneToOneField(Restaurant, on_delete=models.CASCADE, related_name="+")
    enabled = models.BooleanField(default=False)
    changed_by_email = models.EmailField(blank=True)
    changed = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"support write access {self.enabled} for restaurant {self.restaurant_id}"


class SupportAccess(models.Model):
    """Support staff inside one restaurant's panel, for a stated reason and a limited time."""

    restaurant = models.ForeignKey(Restaurant, on_delete=models.CASCADE, related_name="+")
    support_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    support_email = models.EmailField()
    reason = models.CharField(max_length=500)
    can_write = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    expires_at = models.DateTimeField()
    entered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.support_email} in restaurant {self.restaurant_id}: {self.reason}"


class SupportAccessEvent(models.Model):
    """What support viewed or did during an access: one row per request to the restaurant."""

    access = models.ForeignKey(SupportAccess, on_delete=models.CASCADE, related_name="events")
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    allowed = models.BooleanField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"{self.method} {self.path}"
