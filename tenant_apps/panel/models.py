"""What the panel remembers per staff account (tenant schema)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PanelPreference(models.Model):
    """A staff member's panel language; without a row the restaurant's locale applies."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="panel_preference"
    )
    language = models.CharField(max_length=2)
    updated = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.language}"
