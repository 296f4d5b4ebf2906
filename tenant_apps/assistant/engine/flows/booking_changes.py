"""The customer's existing booking: show it, cancel it, or move it (the new time is then
checked and confirmed by the booking flow)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tenant_apps.assistant.engine import domain
from tenant_apps.assistant.engine.flows.base import FlowSpec
from tenant_apps.assistant.engine.flows.booking import apply_when_to_booking, continue_booking
from tenant_apps.assistant.engine.parse import Parse
from tenant_apps.assistant.engine.state import Awaiting, Flow
from tenant_apps.assistant.engine.turn import Turn, explicit_yes
from tenant_apps.assistant.nlu.intents import Intent

if TYPE_CHECKING:
    pass


def about_my_booking(t: Turn, p: Parse) -> bool:
    """Cancel, change or ask about the customer's booking: said outright ("cancelar mi
    reserva"), or with "it" when the booking is what we are talking about ("tengo una
    reserva y quiero cancelarla", "actually, move it to 9pm" after booking)."""
    context = p.has(Intent.MY_BOOKING) or bool(
        t.d.last_reservation_id and not t.d.cart and not t.d.flow and not p.mentions
    )
    if p.has(Intent.CANCEL_BOOKING) or (
        context and p.has(Intent.CANCEL_IT) and not p.has(Intent.CLEAR_CART)
    ):
        start_cancel_booking(t, p)
        return True
    moved = p.has(Intent.CHANGE_IT) or (
        p.has(Intent.CORRECTION) and (p.when.found or bool(p.party_size))
    )
    if p.has(Intent.CHANGE_BOOKING) or (context and moved):
        start_reschedule(t, p)
        return True
    if p.has(Intent.MY_BOOKING) and not (p.party_size or p.when.found or p.has(Intent.ADD)):
        t.d.reset_booking()
        t.d.flow = Flow.MY_BOOKING
        if p.phone:
            t.d.phone = p.phone
        show_booking(t)
        return True
    return False


def show_booking(t: Turn) -> None:
    reservation = find_reservation(t)
    if reservation is None:
        return
    t.d.reset_booking()
    t.d.last_reservation_id = reservation.pk
    t.say(
        "your_booking",
        party=reservation.party_size,
        when=t.when_text(reservation.starts_at.astimezone(t.ctx.profile.tz)),
    )


def start_cancel_booking(t: Turn, p: Parse) -> None:
    t.d.reset_booking()
    t.d.flow = Flow.CANCEL_BOOKING
    if p.phone:
        t.d.phone = p.phone
    continue_cancel(t)


def find_reservation(t: Turn) -> Any:
    """The booking this conversation may act on. Web: the one it made (or was shown after
    proof) while still ahead, else the proven customer's next one (Turn.lookup_customer)."""
    own = t.own_reservation_id()
    if own:
        mine = domain.reservation_get(reservation_id=own)
        if mine is not None and mine.starts_at > t.ctx.now and mine.status != "cancelled":
            return mine
    customer = t.lookup_customer()
    if customer is None:
        return None
    reservation = domain.upcoming_reservation(customer=customer, now=t.ctx.now)
    if reservation is None:
        t.d.reset_booking()
        t.say("no_reservation")
    return reservation


def continue_cancel(t: Turn) -> None:
    reservation = find_reservation(t)
    if reservation is None:
        return
    t.d.reservation_id = reservation.pk
    t.d.awaiting = Awaiting.CONFIRM_CANCEL
    t.say(
        "confirm_cancel",
        party=reservation.party_size,
        when=t.when_text(reservation.starts_at.astimezone(t.ctx.profile.tz)),
    )


def answer_confirm_cancel(t: Turn, p: Parse) -> bool:
    if explicit_yes(p):
        reservation = domain.reservation_get(reservation_id=t.d.reservation_id or 0)
        if reservation is not None:
            domain.cancel(reservation=reservation)
        t.d.reset_booking()
        t.say("cancelled")
        return True
    if p.has(Intent.NO, Intent.DECLINE, Intent.GOODBYE):
        t.d.reset_booking()
        t.say("kept")
        return True
    return False


def start_reschedule(t: Turn, p: Parse) -> None:
    t.d.reset_booking()
    t.d.flow = Flow.RESCHEDULE
    if p.phone:
        t.d.phone = p.phone
    # "move it to 9pm": kept while we ask who the customer is.
    apply_when_to_booking(t, p)
    if p.party_size:
        t.d.party_size = p.party_size
    reservation = find_reservation(t)
    if reservation is None:
        if t.d.awaiting not in {Awaiting.PHONE, Awaiting.NAME, Awaiting.VERIFY_CODE}:
            t.d.reset_booking()
        return
    adopt_reservation(t, reservation, p)


def adopt_reservation(t: Turn, reservation: Any, p: Parse | None) -> None:
    t.d.reservation_id = reservation.pk
    starts = reservation.starts_at.astimezone(t.ctx.profile.tz)
    t.d.rescheduled_day = starts.date().isoformat()
    asked_party = t.d.party_size
    t.d.party_size = reservation.party_size
    if p is not None and (p.when.found or p.party_size):
        if p.party_size:
            t.d.party_size = p.party_size
        t.d.booking_day = starts.date().isoformat()
        apply_when_to_booking(t, p)
        continue_booking(t)
        return
    if t.d.booking_time or t.d.booking_day or asked_party:
        # Said with the request, before we knew which booking it was.
        t.d.party_size = asked_party or reservation.party_size
        t.d.booking_day = t.d.booking_day or starts.date().isoformat()
        t.d.booking_time = t.d.booking_time or starts.strftime("%H:%M")
        continue_booking(t)
        return
    t.d.awaiting = Awaiting.BOOKING_DAY
    t.say("ask_new_time", party=reservation.party_size, when=t.when_text(starts))


def reschedule_once_known(t: Turn) -> None:
    if t.d.reservation_id:
        continue_booking(t)
        return
    reservation = find_reservation(t)
    if reservation is not None:
        adopt_reservation(t, reservation, None)


SPEC = FlowSpec(
    name="booking changes",
    answers={Awaiting.CONFIRM_CANCEL: answer_confirm_cancel},
    resume={
        Flow.RESCHEDULE: reschedule_once_known,
        Flow.CANCEL_BOOKING: continue_cancel,
        Flow.MY_BOOKING: show_booking,
    },
    steps=((20, about_my_booking),),
)
