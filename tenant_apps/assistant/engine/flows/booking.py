"""Booking a table: party, day and time, real availability (or the nearest free times), who
the customer is, and the booking made on an explicit yes. Also moves a booking once the
booking-changes flow found it (`Flow.RESCHEDULE`)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from rest_framework.exceptions import APIException

from tenant_apps.assistant.engine import domain
from tenant_apps.assistant.engine import replies as r
from tenant_apps.assistant.engine.flows.base import FlowSpec
from tenant_apps.assistant.engine.parse import Parse
from tenant_apps.assistant.engine.state import Awaiting, Flow
from tenant_apps.assistant.engine.turn import Turn, answer_not_a_yes, domain_error, explicit_yes
from tenant_apps.assistant.nlu.datetimes import combine
from tenant_apps.assistant.nlu.intents import Intent


def is_booking(t: Turn, p: Parse) -> bool:
    if p.has(Intent.BOOK) and not (p.mentions and p.has(Intent.ADD) and not p.party_size):
        return True
    if t.d.flow in {Flow.BOOKING, Flow.RESCHEDULE} and (p.party_size or p.when.found):
        return True
    return bool(p.party_size and p.when.found and not p.mentions)


def start_booking(t: Turn, p: Parse) -> None:
    if t.d.flow not in {Flow.BOOKING, Flow.RESCHEDULE}:
        t.d.reset_booking()
        t.d.flow = Flow.BOOKING
    if p.has(Intent.ALLERGENS) and t.d.flow == Flow.BOOKING:
        # "mesa para 2 el domingo, uno es celíaco": the restaurant should know.
        note = " ".join(p.raw.split())[:200]
        t.d.booking_notes = f"{t.d.booking_notes} {note}".strip()[:500]
    if p.party_size:
        t.d.party_size = p.party_size
        t.d.last_target = "party_size"
    if p.name:
        t.d.name = p.name
    if p.phone:
        t.d.phone = p.phone
    apply_when_to_booking(t, p)
    continue_booking(t)


def apply_when_to_booking(t: Turn, p: Parse) -> None:
    when = p.when
    if (when.asap or when.minutes_from_now is not None) and when.at is None:
        # "a table rn", "en media hora": the first bookable time from then on.
        moment = combine(when, now=t.ctx.now) or t.ctx.now
        step = domain.slot_minutes()
        minutes = moment.hour * 60 + moment.minute
        minutes = -(-minutes // step) * step
        start = datetime.combine(moment.date(), time(0, 0), tzinfo=moment.tzinfo)
        moment = start + timedelta(minutes=minutes)
        t.d.booking_day = moment.date().isoformat()
        t.d.booking_time = moment.strftime("%H:%M")
        t.d.offered_slots = []
        return
    if when.day is not None:
        t.d.booking_day = when.day.isoformat()
    if when.at is not None:
        t.d.booking_time = when.at.strftime("%H:%M")
        t.d.last_target = "time"
    if when.day is not None or when.at is not None:
        t.d.offered_slots = []


def booking_start(t: Turn) -> datetime | None:
    if not (t.d.booking_day and t.d.booking_time):
        return None
    return datetime.combine(
        date.fromisoformat(t.d.booking_day),
        time.fromisoformat(t.d.booking_time),
        tzinfo=t.ctx.profile.tz,
    )


def continue_booking(t: Turn) -> None:
    """The next question of the booking, one at a time, then its summary."""
    if not (party_known(t) and day_and_time_known(t)):
        return
    starts = booking_start(t)
    assert starts is not None
    if not slot_bookable(t, starts):
        return
    if t.d.flow == Flow.RESCHEDULE:
        t.propose(
            Awaiting.CONFIRM_BOOKING,
            "reschedule_summary",
            party=t.d.party_size,
            when=t.when_text(starts),
        )
    else:
        t.propose(
            Awaiting.CONFIRM_BOOKING,
            "booking_summary",
            party=t.d.party_size,
            when=t.when_text(starts),
            name=t.d.name or t.customer_name(),
            notes=r.say("with_note", t.lang, note=t.d.booking_notes) if t.d.booking_notes else "",
        )


def party_known(t: Turn) -> bool:
    if not t.d.party_size:
        return t.ask(Awaiting.PARTY_SIZE, "ask_party")
    return party_size_accepted(t)


def day_and_time_known(t: Turn) -> bool:
    if t.d.booking_time and not t.d.booking_day and t.d.rescheduled_day:
        t.d.booking_day = t.d.rescheduled_day
    if t.d.booking_time and not t.d.booking_day:
        day = t.ctx.today
        if time.fromisoformat(t.d.booking_time) <= t.ctx.now.time():
            day += timedelta(days=1)
        t.d.booking_day = day.isoformat()
    if not t.d.booking_day:
        return t.ask(Awaiting.BOOKING_DAY, "ask_day")
    if not t.d.booking_time:
        return t.ask(Awaiting.BOOKING_TIME, "ask_time")
    return True


def slot_bookable(t: Turn, starts: datetime) -> bool:
    """The time is ahead and free (else the nearest free ones are offered), and for a new
    booking we know who the customer is."""
    if starts <= t.ctx.now:
        t.d.booking_time = ""
        return t.ask(Awaiting.BOOKING_TIME, "slot_past")
    if not slot_is_free(t, starts):
        offer_slots(t, starts)
        return False
    announce_room(t, starts)
    if t.d.flow != Flow.BOOKING:
        return True
    # The phone is checked now; the customer is recorded only when the table is booked.
    return not t.need_customer() and t.phone_usable()


def announce_room(t: Turn, starts: datetime) -> None:
    """Say there is room before asking who the customer is (once per time asked)."""
    if (
        t.d.flow == Flow.BOOKING
        and t.customer() is None
        and not (t.d.name and t.d.phone)
        and t.d.slot_told != f"{starts.isoformat()} {t.d.party_size}"
    ):
        t.d.slot_told = f"{starts.isoformat()} {t.d.party_size}"
        t.say("slot_free", party=t.d.party_size, when=t.when_text(starts))


def party_size_accepted(t: Turn) -> bool:
    """Within the restaurant's booking limits, or say them and ask again."""
    smallest, largest = domain.party_limits()
    if smallest <= t.d.party_size <= largest:
        return True
    phone = t.ctx.profile.phone
    t.say(
        "party_limits",
        smallest=smallest,
        largest=largest,
        call=r.say("call_us", t.lang, phone=phone) if phone else "",
    )
    t.d.party_size = 0
    t.d.awaiting = Awaiting.PARTY_SIZE
    return False


def slot_is_free(t: Turn, starts: datetime) -> bool:
    slots = domain.free_slots(day=starts.date(), party_size=t.d.party_size)
    return any(slot == starts for slot in slots)


def offer_slots(t: Turn, starts: datetime) -> None:
    # Shown (and picked by "la primera") in the order of the day, not of distance.
    nearest = sorted(
        s for s in domain.nearest_slots(when=starts, party_size=t.d.party_size) if s > t.ctx.now
    )
    if not nearest:
        t.d.booking_day = ""
        t.d.booking_time = ""
        t.d.awaiting = Awaiting.BOOKING_DAY
        t.say("slot_none", party=t.d.party_size)
        return
    t.d.offered_slots = [s.isoformat() for s in nearest]
    t.d.awaiting = Awaiting.PICK_SLOT
    t.say(
        "slot_full",
        when=t.when_text(starts),
        party=t.d.party_size,
        options=r.join([slot_text(t, s, asked=starts) for s in nearest], t.lang),
    )


def slot_text(t: Turn, slot: datetime, *, asked: datetime) -> str:
    """An offered time; its day only when it is not the day asked for."""
    if slot.date() == asked.date():
        return ("a las " if t.lang == "es" else "at ") + slot.strftime("%H:%M")
    return t.when_text(slot)


def offer_later_or_earlier(t: Turn, later: bool) -> None:
    """ "¿alguna más tarde?": the next free times that day after (or before) the asked one."""
    asked = booking_start(t)
    if asked is None:
        t.say("ask_time")
        return
    free = [
        s for s in domain.free_slots(day=asked.date(), party_size=t.d.party_size) if s > t.ctx.now
    ]
    pool = [s for s in free if s > asked][:3] if later else [s for s in free if s < asked][-3:]
    if not pool:
        t.say("no_later_slots" if later else "no_earlier_slots")
        return
    t.d.offered_slots = [s.isoformat() for s in pool]
    t.d.awaiting = Awaiting.PICK_SLOT
    t.say(
        "slots_other",
        options=r.join([slot_text(t, s, asked=asked) for s in pool], t.lang),
    )


def answer_pick_slot(t: Turn, p: Parse) -> bool:
    if p.when.at is None and (phrase := later_or_earlier(t, p)):
        offer_later_or_earlier(t, later=phrase == "later")
        return True
    chosen = chosen_slot(t, p, [datetime.fromisoformat(s) for s in t.d.offered_slots])
    if chosen is None:
        return other_than_offered(t, p)
    t.d.booking_day = chosen.date().isoformat()
    t.d.booking_time = chosen.strftime("%H:%M")
    t.d.offered_slots = []
    continue_booking(t)
    return True


def chosen_slot(t: Turn, p: Parse, offered: list[datetime]) -> datetime | None:
    """The offered time the customer picked: by its time, its place, or a plain yes."""
    if p.when.at is not None:
        return next(
            (
                s
                for s in offered
                if s.time() == p.when.at and (p.when.day is None or s.date() == p.when.day)
            ),
            None,
        )
    index = t.ordinal(p)
    if index is not None and -len(offered) <= index < len(offered):
        return offered[index]
    if p.has(Intent.YES) and offered and not p.has(Intent.NO):
        return offered[0]
    return None


def other_than_offered(t: Turn, p: Parse) -> bool:
    if p.when.at is not None or p.when.day is not None:
        # Another time altogether: check that one instead.
        apply_when_to_booking(t, p)
        continue_booking(t)
        return True
    if p.party_size:
        t.d.party_size = p.party_size
        continue_booking(t)
        return True
    if p.has(Intent.NO):
        t.d.offered_slots = []
        return not t.ask(Awaiting.BOOKING_TIME, "ask_time")
    return False


def later_or_earlier(t: Turn, p: Parse) -> str:
    padded = f" {p.text} "
    if any(f" {w} " in padded for w in ("mas tarde", "later", "despues", "luego")):
        return "later"
    if any(f" {w} " in padded for w in ("mas pronto", "earlier", "antes", "mas temprano")):
        return "earlier"
    return ""


def answer_confirm_booking(t: Turn, p: Parse) -> bool:
    """Commit only on an explicit yes to the summary shown, as it was shown."""
    changes = p.numbers or p.when.found or p.party_size
    if explicit_yes(p) and not changes:
        if t.still_as_shown():
            confirm_booking(t)
        else:
            continue_booking(t)
        return True
    if p.has(Intent.DECLINE) and not changes:
        t.d.reset_booking()
        t.say("booking_dropped")
        return True
    return not changes and answer_not_a_yes(t, p)


def confirm_booking(t: Turn) -> None:
    starts = booking_start(t)
    assert starts is not None
    try:
        if t.d.flow == Flow.RESCHEDULE:
            moved = domain.reservation_get(reservation_id=t.d.reservation_id or 0)
            if moved is None:  # removed by the restaurant meanwhile
                t.d.reset_booking()
                t.say("no_reservation")
                return
            reservation = domain.reschedule(
                reservation=moved, starts_at=starts, party_size=t.d.party_size
            )
            key = "rescheduled"
        else:
            customer = t.resolve_customer()
            if customer is None:
                return
            reservation = domain.book(
                customer=customer,
                starts_at=starts,
                party_size=t.d.party_size,
                channel=t.conversation.channel,
                notes=t.d.booking_notes,
            )
            key = "booking_done"
    except (ValidationError, APIException) as exc:
        t.say("booking_failed", reason=domain_error(exc))
        offer_slots(t, starts)
        return
    party = t.d.party_size
    t.d.reset_booking()
    t.d.last_reservation_id = reservation.pk
    t.say(
        key,
        party=party,
        when=t.when_text(reservation.starts_at.astimezone(t.ctx.profile.tz)),
    )


def correct_booking(t: Turn, p: Parse) -> bool:
    """ "no, mejor 3", "mejor a las 10" while booking: a bare number is the party; times
    come with "a las"/"at", which the date parser reads."""
    if t.d.flow not in {Flow.BOOKING, Flow.RESCHEDULE} or not (
        p.when.found or p.party_size or p.numbers
    ):
        return False
    if p.party_size or (p.numbers and not p.when.found):
        t.d.party_size = p.party_size or p.numbers[0]
        t.d.last_target = "party_size"
    apply_when_to_booking(t, p)
    continue_booking(t)
    return True


def answer_party_size(t: Turn, p: Parse) -> bool:
    size = p.party_size or (p.numbers[0] if len(p.numbers) == 1 else None)
    if not size:
        return False
    t.d.party_size = size
    t.d.last_target = "party_size"
    apply_when_to_booking(t, p)
    continue_booking(t)
    return True


def answer_day_or_time(t: Turn, p: Parse) -> bool:
    if not p.when.found:
        return False
    apply_when_to_booking(t, p)
    if p.party_size:
        t.d.party_size = p.party_size
    continue_booking(t)
    return True


def booking_asked(t: Turn, p: Parse) -> bool:
    if not is_booking(t, p):
        return False
    start_booking(t, p)
    return True


SPEC = FlowSpec(
    name="booking",
    answers={
        Awaiting.PARTY_SIZE: answer_party_size,
        Awaiting.BOOKING_DAY: answer_day_or_time,
        Awaiting.BOOKING_TIME: answer_day_or_time,
        Awaiting.PICK_SLOT: answer_pick_slot,
        Awaiting.CONFIRM_BOOKING: answer_confirm_booking,
    },
    resume={Flow.BOOKING: continue_booking},
    reask={Flow.BOOKING: continue_booking, Flow.RESCHEDULE: continue_booking},
    steps=((80, booking_asked),),
)
