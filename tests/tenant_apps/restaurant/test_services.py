"""Restaurant profile, opening hours and the defaults a new restaurant starts with."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tenants.utils import schema_context

from tenant_apps.reservations.selectors import reservation_settings_get
from tenant_apps.restaurant.selectors import (
    Shift,
    restaurant_is_open,
    restaurant_local_now,
    restaurant_profile_get,
)
from tenant_apps.restaurant.services import (
    closed_date_add,
    opening_hours_replace,
    restaurant_profile_update,
)
from tenant_apps.staff.selectors import role_permissions
from tenants.services import restaurant_onboard
from tests.actors import TEST_ACTOR


@pytest.mark.django_db
def test_a_new_restaurant_starts_open_daily_with_40_covers_and_four_roles() -> None:
    result = restaurant_onboard(
        slug="gamma",
        name="Gamma Grill",
        owner_email="o@gamma.example",
        locale="en",
        timezone="Europe/London",
        currency="GBP",
    )

    with schema_context(result.restaurant.schema_name):
        profile = restaurant_profile_get()
        covers = reservation_settings_get().total_covers
        roles = role_permissions()

    assert profile.name == "Gamma Grill"
    assert (profile.timezone, profile.currency, profile.default_language) == (
        "Europe/London",
        "GBP",
        "en",
    )
    assert profile.languages == ("en", "es")
    assert [(s.weekday, s.opens, s.closes) for s in profile.opening_hours] == [
        (day, time(12), time(23)) for day in range(7)
    ]
    assert "Gamma Grill" in profile.greeting("en")
    assert covers == 40
    assert set(roles) == {"owner", "manager", "staff", "viewer"}


@pytest.mark.usefixtures("in_tenant_a")
class TestProfile:
    def test_update_is_validated_and_seen_at_once_despite_the_cache(self) -> None:
        assert restaurant_profile_get().address == ""

        restaurant_profile_update(
            actor=TEST_ACTOR, changes={"address": "Calle Mayor 1", "currency": "usd"}
        )

        assert restaurant_profile_get().address == "Calle Mayor 1"
        assert restaurant_profile_get().currency == "USD"

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"timezone": "Mars/Olympus"}, "timezone"),
            ({"currency": "EURO"}, "currency"),
            ({"languages": ["es", "fr"]}, "languages"),
            ({"default_language": "en", "languages": ["es"]}, "default_language"),
            ({"assistant_greeting": {"de": "Hallo"}}, "assistant_greeting"),
            ({"secret_field": 1}, "secret_field"),
        ],
    )
    def test_bad_changes_are_field_errors(self, changes: dict[str, object], field: str) -> None:
        with pytest.raises(ValidationError) as error:
            restaurant_profile_update(actor=TEST_ACTOR, changes=changes)

        assert field in error.value.message_dict

    def test_overlapping_shifts_are_rejected(self) -> None:
        with pytest.raises(ValidationError):
            opening_hours_replace(
                actor=TEST_ACTOR,
                shifts=[
                    Shift(weekday=0, opens=time(12), closes=time(16)),
                    Shift(weekday=0, opens=time(15), closes=time(23)),
                ],
            )

    def test_overnight_shift_is_open_after_midnight(self) -> None:
        tz = restaurant_profile_get().tz
        monday = (timezone.now().astimezone(tz) + timedelta(days=7)).date()
        monday -= timedelta(days=monday.weekday())
        opening_hours_replace(
            actor=TEST_ACTOR, shifts=[Shift(weekday=0, opens=time(20), closes=time(2))]
        )

        assert restaurant_is_open(at=datetime.combine(monday, time(23), tzinfo=tz))
        assert restaurant_is_open(
            at=datetime.combine(monday + timedelta(days=1), time(1, 30), tzinfo=tz)
        )
        assert not restaurant_is_open(at=datetime.combine(monday, time(19), tzinfo=tz))


@pytest.mark.usefixtures("in_tenant_a")
class TestClosedDates:
    def test_a_day_already_gone_in_the_restaurants_timezone_is_a_field_error(self) -> None:
        today = restaurant_local_now().date()

        with pytest.raises(ValidationError) as error:
            closed_date_add(actor=TEST_ACTOR, day=today - timedelta(days=1))
        closed_date_add(actor=TEST_ACTOR, day=today, reason="Inventario")

        assert "date" in error.value.message_dict
        assert restaurant_profile_get().closed_dates == (today,)
