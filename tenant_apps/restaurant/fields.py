"""API input fields that read values the way the restaurant means them."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from rest_framework import serializers

from tenant_apps.restaurant.selectors import restaurant_profile_get


class LocalDateTimeField(serializers.DateTimeField):
    """A date and time; written without an offset it is the restaurant's local time.

    DRF would read "2025-06-01T20:00" in the server's zone (UTC), booking a Madrid table
    for 22:00. A time that does not exist locally (the hour skipped for summer time) is a 400.
    """

    # DRF returns a tzinfo here; its stubs say str.
    def default_timezone(self) -> ZoneInfo:  # type: ignore[override]
        return restaurant_profile_get().tz
