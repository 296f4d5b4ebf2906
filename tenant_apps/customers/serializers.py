"""Input shapes other apps' APIs share: who an order or booking is for."""

from __future__ import annotations

from rest_framework import serializers

from core.api import StrictInputSerializer


class CustomerReferenceIn(StrictInputSerializer):
    """Who an order or booking is for: an existing customer's id, or a phone number."""

    customer = serializers.IntegerField(required=False, min_value=1)
    customer_phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    customer_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
