from __future__ import annotations

from django.db import models


class Customer(models.Model):
    """A person who orders or books; matched by phone number (E.164) when they chat."""

    name = models.CharField(max_length=120, blank=True)
    phone = models.CharField(max_length=16, unique=True, help_text="E.164, e.g. +34612345678")
    email = models.EmailField(blank=True)
    language = models.CharField(max_length=2, blank=True)
    marketing_consent = models.BooleanField(default=False)
    marketing_consent_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.name or 'Customer'} ({self.phone})"
