"""Runs a scripted dialog through the web chat service and checks the end state."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from tenant_apps.assistant.engine import replies
from tenant_apps.assistant.nlu.normalize import fold
from tenant_apps.assistant.services import assistant_customer_proven
from tenant_apps.conversations.models import Channel, Conversation
from tenant_apps.conversations.services import conversation_start, conversation_take_over
from tenant_apps.customers.services import customer_get_or_create_by_phone
from tenant_apps.menu.models import MenuItem
from tenant_apps.messaging.services import webchat_message_post
from tenant_apps.orders.models import Order
from tenant_apps.reservations.models import Reservation
from tenant_apps.reservations.services import reservation_create
from tenant_apps.restaurant.selectors import restaurant_local_now
from tests.actors import TEST_ACTOR
from tests.tenant_apps.assistant.restaurant import fill_covers_at, tomorrow_at
from tests.tenant_apps.conversations.factories import staff_user

SETUP_PHONE = "+34699000111"


@dataclass
class Outcome:
    transcript: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def _setup(dialog: dict[str, Any], conversation: Conversation) -> Reservation | None:
    setup = dialog.get("setup", {})
    tz = restaurant_local_now().tzinfo
    if "full_tomorrow_at" in setup:
        hour, minute = (int(x) for x in setup["full_tomorrow_at"].split(":"))
        fill_covers_at(tomorrow_at(hour, minute, tz=tz))
    if setup.get("closed_today"):
        from tenant_apps.restaurant.services import closed_date_add

        closed_date_add(actor=TEST_ACTOR, day=restaurant_local_now().date(), reason="Inventario")
    existing = None
    if "customer" in setup:
        customer = customer_get_or_create_by_phone(
            phone=setup["customer"]["phone"], name=setup["customer"].get("name", "")
        )
        if setup["customer"].get("linked", True):
            # A known customer: the web visitor came with the restaurant's signed link.
            assistant_customer_proven(conversation=conversation, customer_id=customer.pk)
        if "reservation_tomorrow_at" in setup:
            hour, minute = (int(x) for x in setup["reservation_tomorrow_at"].split(":"))
            existing = reservation_create(
                actor=TEST_ACTOR,
                customer=customer,
                starts_at=tomorrow_at(hour, minute, tz=tz),
                party_size=int(setup.get("party", 2)),
                channel="staff",
            )
    return existing


def _option_problems(key: str, expected: list[str], chosen: list[Any]) -> list[str]:
    names = " ".join(fold(str(option)) for option in chosen)
    problems = []
    for option in expected:
        # "!normal": that option must not be on the line.
        if option.startswith("!") and fold(option[1:]) in names:
            problems.append(f"option {option[1:]} unexpected on {key}: {names}")
        elif not option.startswith("!") and fold(option) not in names:
            problems.append(f"option {option} missing on {key}: {names}")
    return problems


def _check_options(
    expect: dict[str, Any], items: dict[str, MenuItem], order: Order, out: Outcome
) -> None:
    """Each expected line with options has its own order line (two cokes, one of each size)."""
    unused = list(order.lines.all())
    for key, quantity, *options in expect["lines"]:
        if not options:
            continue
        same = [li for li in unused if li.item_id == items[key].pk and li.quantity == quantity]
        fitting = [li for li in same if not _option_problems(key, options[0], li.options)]
        if fitting:
            unused.remove(fitting[0])
        else:
            out.failures.extend(_option_problems(key, options[0], same[0].options if same else []))


def _check_order(expect: dict[str, Any], items: dict[str, MenuItem], out: Outcome) -> None:
    orders = list(Order.objects.prefetch_related("lines").order_by("id"))
    if expect.get("none"):
        if orders:
            out.failures.append(f"expected no order, found {len(orders)}")
        return
    if len(orders) != 1:
        out.failures.append(f"expected one order, found {len(orders)}")
        return
    order = orders[0]
    got = sorted((line.item_id, line.quantity) for line in order.lines.all())
    want = sorted((items[key].pk, qty) for key, qty, *_ in expect["lines"])
    if got != want:
        out.failures.append(f"order lines {got} != {want}")
    _check_options(expect, items, order, out)
    if "total" in expect and f"{order.total:.2f}" != expect["total"]:
        out.failures.append(f"order total {order.total} != {expect['total']}")
    if "type" in expect and order.order_type != expect["type"]:
        out.failures.append(f"order type {order.order_type} != {expect['type']}")
    if expect.get("address") and fold(expect["address"]) not in fold(order.address):
        out.failures.append(f"address {order.address!r}")
    if "status" in expect and order.status != expect["status"]:
        out.failures.append(f"order status {order.status} != {expect['status']}")
    if "notes" in expect and fold(expect["notes"]) not in fold(order.notes):
        out.failures.append(f"order notes {order.notes!r}")
    if "customer_phone" in expect and (
        order.customer is None or order.customer.phone != expect["customer_phone"]
    ):
        out.failures.append(f"customer {order.customer}")


def _check_reservation(expect: dict[str, Any], existing: Reservation | None, out: Outcome) -> None:
    queryset = Reservation.objects.exclude(customer__phone=SETUP_PHONE).order_by("id")
    if existing is not None:
        queryset = queryset.exclude(pk=existing.pk)
    created = list(queryset)
    if expect.get("none"):
        if created:
            out.failures.append(f"expected no new reservation, found {created}")
        return
    if len(created) != 1:
        out.failures.append(f"expected one reservation, found {len(created)}")
        return
    _compare_reservation(created[0], expect, out)


def _compare_reservation(reservation: Reservation, expect: dict[str, Any], out: Outcome) -> None:
    now = restaurant_local_now()
    local = reservation.starts_at.astimezone(now.tzinfo)
    if "days" in expect and local.date() != now.date() + timedelta(days=int(expect["days"])):
        out.failures.append(f"reservation day {local.date()} not today+{expect['days']}")
    if "weekday" in expect and local.weekday() != int(expect["weekday"]):
        out.failures.append(f"reservation weekday {local.weekday()} != {expect['weekday']}")
    if "time" in expect and local.strftime("%H:%M") != expect["time"]:
        out.failures.append(f"reservation time {local:%H:%M} != {expect['time']}")
    if "party" in expect and reservation.party_size != int(expect["party"]):
        out.failures.append(f"party {reservation.party_size} != {expect['party']}")
    if "customer_name" in expect and reservation.customer.name != expect["customer_name"]:
        out.failures.append(f"customer name {reservation.customer.name!r}")
    if "notes" in expect and fold(expect["notes"]) not in fold(reservation.notes):
        out.failures.append(f"reservation notes {reservation.notes!r}")
    if "status" in expect and reservation.status != expect["status"]:
        out.failures.append(f"reservation status {reservation.status} != {expect['status']}")


def _staff_action(action: str) -> None:
    from tenant_apps.orders.services import order_transition

    if action == "take_over":
        conversation = Conversation.objects.order_by("-id").first()
        assert conversation is not None, "no conversation for the staff to take over"
        conversation_take_over(actor=TEST_ACTOR, conversation=conversation, staff=staff_user())
        return
    order = Order.objects.order_by("-id").first()
    assert order is not None, "no order for the staff to act on"
    if action == "confirm_order":
        order_transition(actor=TEST_ACTOR, order=order, to_status="confirmed")
    else:
        raise AssertionError(f"unknown staff action {action!r}")


def run_dialog(dialog: dict[str, Any], items: dict[str, MenuItem]) -> Outcome:
    out = Outcome()
    conversation = conversation_start(channel=Channel.WEB, language=dialog.get("language", "es"))
    existing = _setup(dialog, conversation)
    trouble = {replies.say("trouble", "es"), replies.say("trouble", "en")}
    said: list[str] = []
    for text in dialog["turns"]:
        if isinstance(text, dict):  # {staff: confirm_order}: the restaurant acts meanwhile
            _staff_action(str(text["staff"]))
            out.transcript.append(f"[staff: {text['staff']}]")
            continue
        turn = webchat_message_post(conversation=conversation, text=text)
        conversation.refresh_from_db()
        out.transcript.append(f"> {text}")
        for reply in turn.replies:
            out.transcript.append(f"< {reply.text}")
            said.append(reply.text)
            if reply.text in trouble:
                out.failures.append(f"the engine failed on {text!r}")
    _check_end_state(
        dialog.get("expect", {}),
        items=items,
        existing=existing,
        conversation=conversation,
        said=said,
        out=out,
    )
    return out


def _check_end_state(
    expect: dict[str, Any],
    *,
    items: dict[str, MenuItem],
    existing: Reservation | None,
    conversation: Conversation,
    said: list[str],
    out: Outcome,
) -> None:
    if "order" in expect:
        _check_order(expect["order"], items, out)
    if "reservation" in expect:
        _check_reservation(expect["reservation"], existing, out)
    if "existing" in expect and existing is not None:
        existing.refresh_from_db()
        _compare_reservation(existing, expect["existing"], out)
    if "status" in expect and conversation.status != expect["status"]:
        out.failures.append(f"conversation status {conversation.status} != {expect['status']}")
    if "language" in expect and conversation.language != expect["language"]:
        out.failures.append(f"language {conversation.language} != {expect['language']}")
    everything = fold(" ".join(said))
    for snippet in expect.get("says", []):
        if fold(snippet) not in everything:
            out.failures.append(f"never said {snippet!r}")
    for snippet in expect.get("never_says", []):
        if fold(snippet) in everything:
            out.failures.append(f"said {snippet!r}")
