"""Activity in a restaurant's schema on chosen days, for metering and invoicing tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from tenant_apps.assistant.models import ModelCall
from tenant_apps.conversations.models import Conversation, Message
from tenant_apps.conversations.services import conversation_start, message_receive, message_send
from tenant_apps.reservations.models import Reservation
from tests.tenant_apps.customers.factories import make_customer
from tests.tenant_apps.orders.factories import make_order


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


def conversations_on(
    day: date, *, count: int = 1, channel: str = "web", tokens: int = 0
) -> list[Conversation]:
    """`count` conversations on `day`, each with one message in and two out (and a model
    call of `tokens` tokens when given); call with a restaurant schema active."""
    made = []
    for _ in range(count):
        conversation = conversation_start(channel=channel, language="es")
        message_receive(conversation=conversation, text="hola")
        message_send(conversation=conversation, text="¡hola!")
        message_send(conversation=conversation, text="¿qué te apetece?")
        if tokens:
            ModelCall.objects.create(
                conversation=conversation,
                provider="ollama",
                model="phi3:mini",
                outcome=ModelCall.Outcome.OK,
                prompt_tokens=tokens - tokens // 4,
                completion_tokens=tokens // 4,
            )
        made.append(conversation)
    ids = [conversation.pk for conversation in made]
    Conversation.objects.filter(pk__in=ids).update(created=noon(day))
    Message.objects.filter(conversation_id__in=ids).update(created=noon(day))
    ModelCall.objects.filter(conversation_id__in=ids).update(created=noon(day))
    return made


def order_on(day: date) -> None:
    order = make_order()
    type(order).objects.filter(pk=order.pk).update(created=noon(day))


def reservation_on(day: date) -> None:
    starts = noon(day) + timedelta(days=7)
    reservation = Reservation.objects.create(
        customer=make_customer(),
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        party_size=2,
        channel=Reservation.Channel.WEB,
    )
    Reservation.objects.filter(pk=reservation.pk).update(created=noon(day))
