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


class CustomerVerification(models.Model):
    """A one-time code sent to a customer to prove, in a web chat, that they are who their
    typed phone number says (tenant_apps/customers/verification.py). Only its hash is kept."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=64)
    channel = models.CharField(max_length=16)
    attempts = models.PositiveSmallIntegerField(default=0)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["customer", "-created"])]

    def __str__(self) -> str:
        return f"verification of customer {self.customer_id}"
