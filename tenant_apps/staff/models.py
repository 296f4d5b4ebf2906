from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models


class Role(models.Model):
    """A restaurant role and the permissions it grants (defaults in staff/permissions.py).

    Staff accounts are the tenant schema's users (accounts.User) and name their role by code.
    """

    code = models.CharField(max_length=16, primary_key=True)
    name = models.CharField(max_length=40)
    permissions = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name
