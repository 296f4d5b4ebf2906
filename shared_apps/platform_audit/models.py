"""What operators (and support) did on the platform: one row per action, in the public schema."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PlatformAuditEntry(models.Model):
    # The email is kept by value too: the entry outlives the account.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_email = models.EmailField(blank=True)
    action = models.CharField(max_length=64)
    # By value: a deleted (purged) restaurant's entries stay readable.
    restaurant_slug = models.CharField(max_length=63, blank=True, db_index=True)
    detail = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.actor_email} {self.action} {self.restaurant_slug}"
