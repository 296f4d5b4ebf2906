"""The tenant registry, in the public schema: one Restaurant per PostgreSQL schema."""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django_tenants.models import DomainMixin, TenantMixin


class Restaurant(TenantMixin):  # django-tenants is untyped: fields are annotated here
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"

    class Locale(models.TextChoices):
        SPANISH = "es", "Español"
        ENGLISH = "en", "English"

    name: models.CharField[str, str] = models.CharField(max_length=120)
    slug: models.SlugField[str, str] = models.SlugField(max_length=63, unique=True)
    status: models.CharField[str, str] = models.CharField(
        max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    locale: models.CharField[str, str] = models.CharField(
        max_length=2, choices=Locale.choices, default=Locale.SPANISH
    )
    timezone: models.CharField[str, str] = models.CharField(max_length=64, default="Europe/Madrid")
    currency: models.CharField[str, str] = models.CharField(max_length=3, default="EUR")
    created: models.DateTimeField[datetime, datetime] = models.DateTimeField(auto_now_add=True)

    # Schemas are created by the onboarding service, never as a side effect of save().
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return f"{self.name} ({self.slug})"

    @property
    def is_public(self) -> bool:
        return bool(self.schema_name == "public")

    @property
    def is_suspended(self) -> bool:
        return bool(self.status == self.Status.SUSPENDED)


class Domain(DomainMixin):
    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return str(self.domain)
