"""The restaurant domain, as the assistant uses it: every rule lives in the domain apps.

Prices, totals, promotions, opening hours and table availability come from their services
and selectors; this module only adapts call shapes, so the dialog code reads plainly.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

from core.actors import ASSISTANT
from tenant_apps.assistant.engine.state import CartLine

if TYPE_CHECKING:
    from tenant_apps.customers.models import Customer
    from tenant_apps.orders.models import Order
    from tenant_apps.orders.services import OrderLineInput, OrderTotals
    from tenant_apps.promotions.models import Promotion
    from tenant_apps.reservations.models import Reservation
    from tenant_apps.restaurant.selectors import RestaurantProfileData


def _lines(cart: Sequence[CartLine]) -> list[OrderLineInput]:
    from tenant_apps.orders.services import OrderLineInput

    return [
        OrderLineInput(
            item_id=line.item_id, quantity=line.quantity, option_ids=tuple(line.option_ids)
        )
        for line in cart
    ]


def quote(
    cart: Sequence[CartLine],
    *,
    customer: Customer | None = None,
    promotion_code: str | None = None,
) -> OrderTotals:
    from tenant_apps.orders.services import order_quote

    return order_quote(lines=_lines(cart), customer=customer, promotion_code=promotion_code)


def place_order(
    *,
    cart: Sequence[CartLine],
    customer: Customer,
    channel: str,
    order_type: str,
    requested_time: datetime | None,
    table: str,
    address: str,
    promotion_code: str | None = None,
    notes: str = "",
) -> Order:
    from tenant_apps.orders.services import order_create

    return order_create(
        actor=ASSISTANT,
        customer=customer,
        channel=channel,
        order_type=order_type,
        lines=_lines(cart),
        requested_time=requested_time,
        table=table,
        address=address,
        promotion_code=promotion_code,
        notes=notes,
    )


def order_get(*, order_id: int) -> Order | None:
    from tenant_apps.orders.selectors import order_get as get

    return get(order_id=order_id)


def cancel_order(*, order: Order) -> Order:
    from tenant_apps.orders.services import order_transition

    return order_transition(
        actor=ASSISTANT,
        order=order,
        to_status="cancelled",
        reason="Cancelled by the customer in chat",
    )


def latest_order(*, customer: Customer) -> Order | None:
    from tenant_apps.orders.selectors import order_latest_for_customer

    return order_latest_for_customer(customer=customer)


def customer_for_phone(*, phone: str, name: str, language: str) -> Customer:
    from tenant_apps.customers.services import customer_get_or_create_by_phone

    return customer_get_or_create_by_phone(phone=phone, name=name, language=language)


def customer_by_phone(*, phone: str) -> Customer | None:
    """The existing customer with this phone, creating nothing (ValidationError if it is not
    a phone number)."""
    from tenant_apps.customers.phones import normalize_phone
    from tenant_apps.customers.selectors import customer_get_by_phone

    normalize_phone(phone)
    return customer_get_by_phone(phone=phone)


def verification_start(*, customer: Customer, restaurant: str, language: str) -> str:
    from tenant_apps.customers.verification import customer_verification_start

    return customer_verification_start(customer=customer, restaurant=restaurant, language=language)


def verification_check(*, customer: Customer, code: str) -> bool:
    from tenant_apps.customers.verification import customer_verification_check

    return customer_verification_check(customer=customer, code=code)


def phone_example() -> str:
    """A valid number of the restaurant's country, to show how to write one."""
    from tenant_apps.customers.selectors import customer_phone_example

    return customer_phone_example()


def customer_get(*, customer_id: int) -> Customer | None:
    from tenant_apps.customers.selectors import customer_get as get

    return get(customer_id=customer_id)


def free_slots(*, day: date, party_size: int) -> list[datetime]:
    from tenant_apps.reservations.selectors import availability_slots

    return availability_slots(day=day, party_size=party_size)


def nearest_slots(*, when: datetime, party_size: int, limit: int = 3) -> list[datetime]:
    from tenant_apps.reservations.selectors import nearest_free_slots

    return nearest_free_slots(when=when, party_size=party_size, limit=limit)


def book(
    *, customer: Customer, starts_at: datetime, party_size: int, channel: str, notes: str = ""
) -> Reservation:
    from tenant_apps.reservations.services import reservation_create

    return reservation_create(
        actor=ASSISTANT,
        customer=customer,
        starts_at=starts_at,
        party_size=party_size,
        channel=channel,
        notes=notes,
    )


def upcoming_reservation(*, customer: Customer, now: datetime) -> Reservation | None:
    from tenant_apps.reservations.selectors import reservation_upcoming_for_customer

    return reservation_upcoming_for_customer(customer=customer, now=now)


def reservation_get(*, reservation_id: int) -> Reservation | None:
    from tenant_apps.reservations.selectors import reservation_get as get

    return get(reservation_id=reservation_id)


def cancel(*, reservation: Reservation) -> Reservation:
    from tenant_apps.reservations.services import reservation_cancel

    return reservation_cancel(
        actor=ASSISTANT, reservation=reservation, reason="Cancelled by the customer in chat"
    )


def reschedule(*, reservation: Reservation, starts_at: datetime, party_size: int) -> Reservation:
    from tenant_apps.reservations.services import reservation_reschedule

    return reservation_reschedule(
        actor=ASSISTANT, reservation=reservation, starts_at=starts_at, party_size=party_size
    )


def slot_minutes() -> int:
    """How far apart bookable times are."""
    from tenant_apps.reservations.selectors import reservation_settings_get

    return int(reservation_settings_get().slot_interval_minutes)


def party_limits() -> tuple[int, int]:
    """The smallest and largest party the restaurant books."""
    from tenant_apps.reservations.selectors import reservation_settings_get

    settings = reservation_settings_get()
    return settings.min_party_size, settings.max_party_size


def promotions() -> list[Promotion]:
    from tenant_apps.promotions.selectors import promotion_list_current

    return list(promotion_list_current())


def open_intervals(*, day: date) -> list[tuple[datetime, datetime]]:
    """The restaurant's shifts starting that day (none on a closed date)."""
    from tenant_apps.restaurant.selectors import open_intervals as intervals

    return intervals(day=day)


def is_open(*, at: datetime) -> bool:
    from tenant_apps.restaurant.selectors import restaurant_is_open

    return restaurant_is_open(at=at)


def profile() -> RestaurantProfileData:
    from tenant_apps.restaurant.selectors import restaurant_profile_get

    return restaurant_profile_get()
