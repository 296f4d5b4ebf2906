"""Inbound to reply, through the real Celery worker and the fake provider over HTTP:
duplicates, statuses out of order, an outage, the 24-hour window and templates."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context

from tenant_apps.conversations.models import Conversation, Message
from tenant_apps.messaging.models import WhatsAppDelivery, WhatsAppInbound, WhatsAppTemplate
from tests.tenant_apps.messaging.whatsapp.conftest import (
    connect_meta,
    connect_twilio,
    meta_payload,
    meta_post,
    meta_text,
    twilio_inbound,
    twilio_post,
    wait_until,
)
from tests.tenant_apps.messaging.whatsapp.fakes import FakeProvider
from tests.tenants.factories import TenantHandle


def _messages(handle: TenantHandle, **filters: Any) -> list[Message]:
    with schema_context(handle.schema_name):
        return list(Message.objects.filter(**filters).order_by("id"))


def _settled(handle: TenantHandle) -> bool:
    """Nothing waiting: every inbound processed and every outbound accepted or failed."""
    with schema_context(handle.schema_name):
        return not (
            WhatsAppInbound.objects.filter(processed_at__isnull=True).exists()
            or WhatsAppDelivery.objects.filter(state__in=["queued", "sending"]).exists()
        )


def test_the_same_webhook_three_times_at_once_yields_one_message_and_one_answer(
    committed_whatsapp_a: TenantHandle, fake_provider: FakeProvider
) -> None:
    handle = committed_whatsapp_a
    connect_twilio(handle)
    params = twilio_inbound("¿cuánto cuesta la hamburguesa clásica?")
    statuses: list[int] = []

    def deliver() -> None:
        statuses.append(twilio_post(Client(), handle, params).status_code)

    threads = [threading.Thread(target=deliver) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200, 200, 200]
    assert wait_until(lambda: fake_provider.sent and _settled(handle))
    # Spread out: the provider tries once more, later.
    assert twilio_post(Client(), handle, params).status_code == 200
    assert wait_until(lambda: _settled(handle))
    inbound = _messages(handle, direction="in")
    assert [m.provider_message_id for m in inbound] == [params["MessageSid"]]
    replies = _messages(handle, direction="out")
    assert len(replies) >= 1
    assert len(fake_provider.sent) == len(replies)
    assert [s.to for s in fake_provider.sent] == ["whatsapp:+34612000001"] * len(replies)
    assert all(m.delivery_status == "sent" and m.provider_message_id for m in replies)


def test_a_reply_recorded_while_an_earlier_one_is_in_flight_follows_it_at_once(
    committed_whatsapp_a: TenantHandle, fake_provider: FakeProvider
) -> None:
    """A customer's second message answered while the provider is still taking the first
    reply: the second reply is sent right after the first (in order), not once the in-flight
    grace (DYSA_WHATSAPP_IN_FLIGHT_SECONDS, minutes) has passed."""
    handle = committed_whatsapp_a
    connect_twilio(handle)
    fake_provider.answer_delay = 1.5
    assert twilio_post(Client(), handle, twilio_inbound("hola")).status_code == 200
    assert wait_until(lambda: fake_provider.sent)  # the first reply is in flight
    assert twilio_post(Client(), handle, twilio_inbound("¿abrís hoy?")).status_code == 200
    assert wait_until(lambda: _settled(handle), timeout=20)
    replies = _messages(handle, direction="out")
    assert len(replies) >= 2
    assert fake_provider.texts() == [m.text for m in replies]


def _status(handle: TenantHandle, sid: str, status: str) -> int:
    params = {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC1"}
    return int(twilio_post(Client(), handle, params).status_code)


def test_statuses_only_move_forward_even_when_they_arrive_out_of_order(
    committed_whatsapp_a: TenantHandle, fake_provider: FakeProvider
) -> None:
    handle = committed_whatsapp_a
    connect_twilio(handle)
    twilio_post(Client(), handle, twilio_inbound("hola"))
    assert wait_until(lambda: _settled(handle) and fake_provider.sent)
    reply = _messages(handle, direction="out")[0]
    sid = reply.provider_message_id
    for status in ("read", "delivered", "sent", "queued"):
        assert _status(handle, sid, status) == 200
    assert wait_until(lambda: _messages(handle, pk=reply.pk)[0].delivery_status == "read")
    # The late ones were applied too (the worker is idle), and none moved it back.
    with schema_context(handle.schema_name):
        assert Message.objects.get(pk=reply.pk).delivery_status == "read"
    # Staff see it in the conversations API.
    from tests.tenant_apps.staff.factories import client_as

    staff = client_as(handle, "staff")
    detail = staff.get(f"/api/v1/conversations/{reply.conversation_id}/").json()
    statuses = {m["id"]: m["delivery_status"] for m in detail["messages"]}
    assert statuses[reply.pk] == "read"


def test_a_provider_outage_is_retried_with_backoff_and_each_message_goes_once(
    committed_whatsapp_a: TenantHandle, fake_provider: FakeProvider
) -> None:
    handle = committed_whatsapp_a
    connect_meta(handle)
    fake_provider.fail_next(3, status=503)
    fake_provider.fail_next(1, status=429)
    assert (
        meta_post(Client(), handle, meta_payload(messages=[meta_text("hola")])).status_code == 200
    )
    assert wait_until(lambda: _settled(handle) and fake_provider.sent)
    replies = _messages(handle, direction="out")
    assert fake_provider.requests == 4 + len(replies)
    assert [s.text for s in fake_provider.sent] == [m.text for m in replies]
    assert all(m.delivery_status == "sent" for m in replies)
    # Meta's statuses name our reference: a callback finds the message by its wamid too.
    wamid = fake_provider.sent[0].provider_message_id
    status = {"id": wamid, "status": "delivered", "recipient_id": "34612000001"}
    meta_post(Client(), handle, meta_payload(statuses=[status]))
    assert wait_until(lambda: _messages(handle, provider_message_id=wamid)[0].delivery_status)
    assert wait_until(
        lambda: _messages(handle, provider_message_id=wamid)[0].delivery_status == "delivered"
    )


def test_a_permanent_refusal_fails_the_message_with_the_reason(
    committed_whatsapp_a: TenantHandle, fake_provider: FakeProvider
) -> None:
    handle = committed_whatsapp_a
    connect_meta(handle)
    fake_provider.fail_next(1, status=400)
    meta_post(Client(), handle, meta_payload(messages=[meta_text("hola")]))
    assert wait_until(lambda: _settled(handle))
    first = _messages(handle, direction="out")[0]
    assert first.delivery_status == "failed"
    with schema_context(handle.schema_name):
        assert WhatsAppDelivery.objects.get(message=first).error.startswith("HTTP 400")


def test_outside_the_24_hour_window_replies_are_refused_and_templates_go_out(
    committed_whatsapp_a: TenantHandle, fake_provider: FakeProvider
) -> None:
    handle = committed_whatsapp_a
    connect_twilio(handle)
    twilio_post(Client(), handle, twilio_inbound("hola"))
    assert wait_until(lambda: _settled(handle) and fake_provider.sent)
    conversation_id = _messages(handle)[0].conversation_id
    with schema_context(handle.schema_name):
        Conversation.objects.filter(pk=conversation_id).update(
            last_customer_message_at=timezone.now() - timedelta(hours=25)
        )
    from tests.tenant_apps.staff.factories import client_as

    owner = client_as(handle, "owner")
    refused = owner.post(
        f"/api/v1/conversations/{conversation_id}/reply/", {"text": "¿sigues?"}, format="json"
    )
    assert refused.status_code == 409
    assert "24 hours" in refused.json()["detail"]
    created = owner.post(
        "/api/v1/channels/whatsapp/templates/",
        {
            "name": "order_ready",
            "language": "es",
            "body": "Hola {{1}}, tu pedido {{2}} está listo.",
            "provider_ref": "HX" + "a" * 32,
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    sent_before = len(fake_provider.sent)
    response = owner.post(
        f"/api/v1/channels/whatsapp/conversations/{conversation_id}/template/",
        {"template": created.json()["id"], "variables": ["Ana", "#12"]},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["text"] == "Hola Ana, tu pedido #12 está listo."
    assert wait_until(lambda: len(fake_provider.sent) == sent_before + 1 and _settled(handle))
    template_sent = fake_provider.sent[-1]
    assert (template_sent.template, template_sent.variables) == ("HX" + "a" * 32, ["Ana", "#12"])
    with schema_context(handle.schema_name):
        assert WhatsAppTemplate.objects.count() == 1


def test_a_reply_inside_the_window_is_sent_by_the_worker(
    committed_whatsapp_a: TenantHandle, fake_provider: FakeProvider
) -> None:
    handle = committed_whatsapp_a
    connect_twilio(handle)
    twilio_post(Client(), handle, twilio_inbound("hola"))
    assert wait_until(lambda: _settled(handle) and fake_provider.sent)
    conversation_id = _messages(handle)[0].conversation_id
    from tests.tenant_apps.staff.factories import client_as

    staff = client_as(handle, "staff")
    response = staff.post(
        f"/api/v1/conversations/{conversation_id}/reply/", {"text": "Soy Eva"}, format="json"
    )
    assert response.status_code == 201
    assert wait_until(lambda: "Soy Eva" in fake_provider.texts() and _settled(handle))
    # Taking over announced itself first, and the order is kept.
    texts = fake_provider.texts()
    assert texts.index("Soy Eva") == len(texts) - 1
    assert _messages(handle, text="Soy Eva")[0].delivery_status == "sent"


def test_a_code_sent_to_a_bare_phone_reaches_the_provider_and_no_conversation(
    committed_whatsapp_a: TenantHandle, fake_provider: FakeProvider
) -> None:
    from tenant_apps.messaging.whatsapp.services import whatsapp_send_text

    handle = committed_whatsapp_a
    connect_meta(handle)
    fake_provider.fail_next(1, status=503)
    with tenant_context(handle.restaurant), transaction.atomic():
        assert whatsapp_send_text(phone="+34 612 000 077", text="Tu código: 482913") is None
    assert wait_until(lambda: fake_provider.sent)
    assert [(s.to, s.text) for s in fake_provider.sent] == [("34612000077", "Tu código: 482913")]
    assert _messages(handle) == []


def test_a_text_sent_to_a_conversation_is_recorded_and_delivered(
    committed_whatsapp_a: TenantHandle, fake_provider: FakeProvider
) -> None:
    from tenant_apps.messaging.whatsapp.services import whatsapp_send_text

    handle = committed_whatsapp_a
    connect_twilio(handle)
    with schema_context(handle.schema_name):
        conversation = Conversation.objects.create(
            channel="whatsapp", external_id="+34612000078", last_customer_message_at=timezone.now()
        )
    with tenant_context(handle.restaurant), transaction.atomic():
        message = whatsapp_send_text(conversation=conversation, text="Tu mesa está lista")
    assert message is not None
    assert wait_until(lambda: _settled(handle) and fake_provider.sent)
    assert fake_provider.texts() == ["Tu mesa está lista"]
    assert _messages(handle, pk=message.pk)[0].delivery_status == "sent"


def test_the_sweep_picks_up_what_a_lost_worker_left(
    committed_whatsapp_a: TenantHandle, fake_provider: FakeProvider
) -> None:
    """A stored message whose task was lost (broker restart, killed worker) is processed by
    the periodic sweep, and answered once."""
    from tenant_apps.messaging.whatsapp.tasks import whatsapp_sweep_task

    handle = committed_whatsapp_a
    connect_twilio(handle)
    with schema_context(handle.schema_name):
        inbound = WhatsAppInbound.objects.create(
            provider_message_id="SMlost", sender="+34612000079", text="hola"
        )
        WhatsAppInbound.objects.filter(pk=inbound.pk).update(
            received=timezone.now() - timedelta(minutes=5)
        )
    with tenant_context(handle.restaurant):
        assert whatsapp_sweep_task() == 1
    assert wait_until(lambda: _settled(handle) and fake_provider.sent)
    assert [m.provider_message_id for m in _messages(handle, direction="in")] == ["SMlost"]
    with tenant_context(handle.restaurant):
        assert whatsapp_sweep_task() == 0
    assert len(fake_provider.sent) == len(_messages(handle, direction="out"))


def test_a_picture_is_recorded_and_answered_that_only_text_is_read(
    committed_whatsapp_a: TenantHandle, fake_provider: FakeProvider
) -> None:
    handle = committed_whatsapp_a
    connect_meta(handle)
    image = {
        "from": "34612000080",
        "id": "wamid.IMAGE1",
        "timestamp": "1700000000",
        "type": "image",
        "image": {"id": "media-1", "mime_type": "image/jpeg"},
    }
    assert meta_post(Client(), handle, meta_payload(messages=[image])).status_code == 200
    assert wait_until(lambda: _settled(handle) and fake_provider.sent)
    assert [m.text for m in _messages(handle, direction="in")] == ["[image]"]
    assert fake_provider.texts() == [
        "Por ahora solo puedo leer mensajes de texto. ¿Me lo escribes, por favor?"
    ]
