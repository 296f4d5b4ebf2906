"""Self-service signups (public schema): who signed up a restaurant, from where, and how far
the restaurant got (email verified, first login, approval)."""

from __future__ import annotations

from django.db import models

from tenants.models import Restaurant


class Signup(models.Model):
    restaurant = models.OneToOneField(Restaurant, on_delete=models.CASCADE, related_name="+")
    owner_email = models.EmailField()
    country = models.CharField(max_length=2)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    welcomed_at = models.DateTimeField(null=True, blank=True)
    # Set when signups needed an operator's approval: the restaurant stays suspended until an
    # operator reactivates it from the console.
    awaiting_approval = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"signup of restaurant {self.restaurant_id} by {self.owner_email}"
