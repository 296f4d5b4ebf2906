"""Dialog turns that depend on the clock, run with a fixed "now" (the corpus runs at any hour)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tenant_apps.assistant.engine.catalog import catalog_load
from tenant_apps.assistant.engine.dialog import Context, DialogManager
from tenant_apps.assistant.engine.domain import profile, slot_minutes
from tenant_apps.assistant.engine.state import Dialog
from tenant_apps.conversations.models import Channel
from tenant_apps.conversations.services import conversation_start
from tests.tenant_apps.assistant.restaurant import seed_dialog_restaurant


def _turn(dialog: Dialog, text: str, *, now: datetime) -> list[str]:
    conversation = conversation_start(channel=Channel.WEB, language=dialog.language)
    context = Context(catalog=catalog_load(), profile=profile(), now=now)
    manager = DialogManager(conversation=conversation, dialog=dialog, context=context)
    return manager.handle(text).replies


@pytest.mark.parametrize("text", ["hey can i get a table rn for 2", "mesa para 2 ahora mismo"])
def test_a_table_right_now_is_the_next_bookable_time(in_tenant_a: object, text: str) -> None:
    seed_dialog_restaurant()
    tz = profile().tz
    tomorrow = (datetime.now(tz) + timedelta(days=1)).date()
    now = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 19, 7, tzinfo=tz)
    dialog = Dialog(language="en" if "table" in text else "es")

    said = _turn(dialog, text, now=now)

    step = slot_minutes()
    expected = now.replace(minute=0) + timedelta(minutes=-(-7 // step) * step)
    assert dialog.booking_day == tomorrow.isoformat()
    assert dialog.booking_time == expected.strftime("%H:%M")
    assert dialog.party_size == 2
    assert expected.strftime("%H:%M") in " ".join(said)


def test_moving_a_booking_to_another_time_keeps_its_day(in_tenant_a: object) -> None:
    from tenant_apps.customers.services import customer_get_or_create_by_phone
    from tenant_apps.reservations.services import reservation_create
    from tests.actors import TEST_ACTOR

    seed_dialog_restaurant()
    tz = profile().tz
    today = (datetime.now(tz) + timedelta(days=1)).date()
    now = datetime(today.year, today.month, today.day, 10, 0, tzinfo=tz)
    booked_day = today + timedelta(days=2)
    customer = customer_get_or_create_by_phone(phone="+34612345099", name="Pili")
    reservation_create(
        actor=TEST_ACTOR,
        customer=customer,
        starts_at=datetime(booked_day.year, booked_day.month, booked_day.day, 21, 0, tzinfo=tz),
        party_size=2,
        channel="staff",
    )
    conversation = conversation_start(channel=Channel.WEB, language="es")
    dialog = Dialog(language="es", verified_customer_id=customer.pk)  # came with a signed link
    context = Context(catalog=catalog_load(), profile=profile(), now=now)
    manager = DialogManager(conversation=conversation, dialog=dialog, context=context)

    manager.handle("quiero cambiar mi reserva")
    manager.handle("a las nueve y media")

    # 21:30 is still ahead today, but the booking being moved is two days ahead.
    assert dialog.booking_day == booked_day.isoformat()
    assert dialog.booking_time == "21:30"
