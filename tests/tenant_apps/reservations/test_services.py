"""Reservations: availability from hours and capacity, booking rules, no overbooking."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tenants.utils import schema_context

from tenant_apps.customers.models import Customer
from tenant_apps.reservations.models import Reservation, ReservationSettings
from tenant_apps.reservations.selectors import availability_slots, nearest_free_slots
from tenant_apps.reservations.services import (
    IllegalReservationTransition,
    SlotUnavailable,
    reservation_cancel,
    reservation_create,
    reservation_reschedule,
    reservation_settings_update,
    reservation_transition,
    table_create,
)
from tenant_apps.restaurant.selectors import Shift, restaurant_profile_get
from tenant_apps.restaurant.services import closed_date_add, opening_hours_replace
from tests.actors import TEST_ACTOR
from tests.tenant_apps.concurrency import run_concurrently
from tests.tenant_apps.customers.factories import make_customer
from tests.tenants.factories import TenantHandle


def future_day(days: int = 3) -> date:
    return (timezone.now().astimezone(restaurant_profile_get().tz) + timedelta(days=days)).date()


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=restaurant_profile_get().tz)


def book(starts_at: datetime, party: int = 2) -> Reservation:
    return reservation_create(
        actor=TEST_ACTOR,
        customer=make_customer(),
        starts_at=starts_at,
        party_size=party,
        channel="web",
    )


@pytest.mark.usefixtures("in_tenant_a")
class TestAvailability:
    def test_default_hours_give_slots_every_half_hour_that_fit_the_stay(self) -> None:
        day = future_day()

        slots = availability_slots(day=day, party_size=2)

        assert slots[0] == at(day, 12)
        assert slots[-1] == at(day, 21, 30)  # 90-minute stay ends at closing, 23:00
        assert len(slots) == 20
        assert all(slot.tzinfo is not None for slot in slots)

    def test_full_covers_block_overlapping_slots_only(self) -> None:
        day = future_day()
        for _ in range(3):
            book(at(day, 20), party=12)  # 36 of 40 covers from 20:00 to 21:30

        slots = availability_slots(day=day, party_size=5)

        assert at(day, 18, 30) in slots  # ends 20:00, exactly when they arrive
        for blocked in (19, 20, 21):
            assert at(day, blocked) not in slots
        assert at(day, 19, 0) not in availability_slots(day=day, party_size=5)
        assert at(day, 20) in availability_slots(day=day, party_size=4)

    def test_split_shifts_closed_weekdays_and_closed_dates(self) -> None:
        day = future_day()
        opening_hours_replace(
            actor=TEST_ACTOR,
            shifts=[
                Shift(weekday=day.weekday(), opens=time(13), closes=time(16)),
                Shift(weekday=day.weekday(), opens=time(20), closes=time(23, 30)),
            ],
        )

        slots = availability_slots(day=day, party_size=2)
        next_day = availability_slots(day=day + timedelta(days=1), party_size=2)
        closed_date_add(actor=TEST_ACTOR, day=day, reason="Holiday")

        assert [s.strftime("%H:%M") for s in slots] == [
            "13:00",
            "13:30",
            "14:00",
            "14:30",
            "20:00",
            "20:30",
            "21:00",
            "21:30",
            "22:00",
        ]
        assert next_day == []
        assert availability_slots(day=day, party_size=2) == []

    def test_no_slots_in_the_past_or_beyond_the_booking_window(self) -> None:
        yesterday = future_day(-1)
        too_far = future_day(90)

        assert availability_slots(day=yesterday, party_size=2) == []
        assert availability_slots(day=too_far, party_size=2) == []

    def test_party_size_outside_the_rules_is_a_field_error(self) -> None:
        with pytest.raises(ValidationError) as error:
            availability_slots(day=future_day(), party_size=30)

        assert "party_size" in error.value.message_dict

    def test_nearest_free_slots_are_ordered_by_distance(self) -> None:
        day = future_day()
        for _ in range(3):
            book(at(day, 20), party=12)

        nearest = nearest_free_slots(when=at(day, 20), party_size=8, limit=3)

        assert nearest == [at(day, 18, 30), at(day, 21, 30), at(day, 18)]


@pytest.mark.usefixtures("in_tenant_a")
class TestBooking:
    def test_booking_is_confirmed_with_its_stay(self) -> None:
        reservation = book(at(future_day(), 20), party=4)

        assert reservation.status == Reservation.Status.CONFIRMED
        assert reservation.ends_at - reservation.starts_at == timedelta(minutes=90)

    def test_full_slot_is_a_conflict_offering_alternatives(self) -> None:
        day = future_day()
        for _ in range(3):
            book(at(day, 20), party=12)

        with pytest.raises(SlotUnavailable) as error:
            book(at(day, 20), party=6)

        assert error.value.status_code == 409
        assert at(day, 18, 30).isoformat() in error.value.problem_extra["alternatives"]

    @pytest.mark.parametrize(
        ("when", "message"),
        [
            (lambda: timezone.now() - timedelta(hours=2), "past"),
            (lambda: timezone.now() + timedelta(minutes=5), "notice"),
            (lambda: at(future_day(120), 20), "days ahead"),
            (lambda: at(future_day(), 3), "closed"),
            (lambda: at(future_day(), 22), "closed"),  # stay would end after 23:00
        ],
    )
    def test_bad_times_are_field_errors(self, when: object, message: str) -> None:
        with pytest.raises(ValidationError) as error:
            book(when())  # type: ignore[operator]

        assert message in str(error.value.message_dict["starts_at"])
        assert not Reservation.objects.exists()

    def test_tables_mode_seats_the_smallest_table_that_fits(self) -> None:
        reservation_settings_update(actor=TEST_ACTOR, changes={"capacity_mode": "tables"})
        table_create(actor=TEST_ACTOR, name="T2", capacity=2)
        four = table_create(actor=TEST_ACTOR, name="T4", capacity=4)
        table_create(actor=TEST_ACTOR, name="T8", capacity=8)
        day = future_day()

        first = book(at(day, 20), party=3)
        second = book(at(day, 20), party=3)

        assert first.table == four
        assert second.table is not None
        assert second.table.name == "T8"
        with pytest.raises(SlotUnavailable):
            book(at(day, 20), party=3)
        assert at(day, 20) in availability_slots(day=day, party_size=2)

    def test_cancelling_frees_the_capacity(self) -> None:
        reservation_settings_update(actor=TEST_ACTOR, changes={"total_covers": 4})
        day = future_day()
        reservation = book(at(day, 20), party=4)
        assert at(day, 20) not in availability_slots(day=day, party_size=1)

        reservation_cancel(actor=TEST_ACTOR, reservation=reservation, reason="Plans changed")

        assert at(day, 20) in availability_slots(day=day, party_size=1)

    def test_rescheduling_does_not_count_the_booking_against_itself(self) -> None:
        reservation_settings_update(actor=TEST_ACTOR, changes={"total_covers": 4})
        day = future_day()
        reservation = book(at(day, 20), party=4)

        moved = reservation_reschedule(
            actor=TEST_ACTOR, reservation=reservation, starts_at=at(day, 20, 30)
        )

        assert moved.starts_at == at(day, 20, 30)
        assert moved.ends_at == at(day, 22)

    def test_status_machine(self) -> None:
        reservation = book(at(future_day(), 20))

        seated = reservation_transition(
            actor=TEST_ACTOR, reservation=reservation, to_status="seated"
        )
        done = reservation_transition(actor=TEST_ACTOR, reservation=seated, to_status="completed")

        assert done.status == "completed"
        with pytest.raises(IllegalReservationTransition):
            reservation_cancel(actor=TEST_ACTOR, reservation=done)

    def test_pending_when_auto_confirm_is_off(self) -> None:
        reservation_settings_update(actor=TEST_ACTOR, changes={"auto_confirm": False})

        assert book(at(future_day(), 20)).status == Reservation.Status.PENDING


def test_parallel_bookings_never_exceed_capacity(committed_tenant_a: TenantHandle) -> None:
    schema = committed_tenant_a.schema_name
    with schema_context(schema):
        settings = ReservationSettings.objects.get()
        assert settings.total_covers == 40
        day = future_day()
        starts_at = at(day, 20)
        customers = [make_customer(f"Guest {n}") for n in range(10)]

    def attempt(customer: Customer) -> Callable[[], object]:
        return lambda: reservation_create(
            actor=TEST_ACTOR, customer=customer, starts_at=starts_at, party_size=8, channel="web"
        )

    outcomes = run_concurrently(
        schema, [attempt(c) for c in customers], expected=(SlotUnavailable,)
    )

    assert sorted(outcomes) == ["SlotUnavailable"] * 5 + ["ok"] * 5
    with schema_context(schema):
        booked = Reservation.objects.filter(starts_at=starts_at, status="confirmed")
        assert sum(r.party_size for r in booked) == 40
