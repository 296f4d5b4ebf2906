"""A worker killed mid-send (a real process, SIGKILL): no duplicate and no loss.

The send runs in a `manage.py shell` subprocess, as a worker would run the flush task, while
the fake provider holds its request open; the process is killed there. Either the provider
had the message (its status callback, naming our reference, reconciles it: nothing is sent
again) or it never got it (once the in-flight grace has passed, it is sent again, once).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context

from tenant_apps.conversations.models import Channel, Conversation, Message
from tenant_apps.messaging.models import WhatsAppDelivery
from tenant_apps.messaging.whatsapp.delivery import conversation_flush
from tests.tenant_apps.messaging.whatsapp.conftest import connect_twilio, twilio_post, wait_until
from tests.tenant_apps.messaging.whatsapp.fakes import FakeProvider
from tests.tenants.factories import TenantHandle

ROOT = Path(__file__).resolve().parents[4]
FLUSH = (
    "from django_tenants.utils import tenant_context\n"
    "from tenants.models import Restaurant\n"
    "from tenant_apps.messaging.whatsapp.delivery import conversation_flush\n"
    "with tenant_context(Restaurant.objects.get(schema_name={schema!r})):\n"
    "    conversation_flush(conversation_id={conversation_id})\n"
)

pytestmark = pytest.mark.slow


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _worker(
    handle: TenantHandle, conversation_id: int, fake: FakeProvider
) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(),
        "DYSA_TWILIO_API_BASE": fake.base,
        "PYTHONUNBUFFERED": "1",
    }
    code = FLUSH.format(schema=handle.schema_name, conversation_id=conversation_id)
    return subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", code],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _waiting_reply(handle: TenantHandle) -> Message:
    """A reply recorded with its delivery row but no task queued: the subprocess sends it."""
    with schema_context(handle.schema_name):
        conversation = Conversation.objects.create(
            channel=Channel.WHATSAPP,
            external_id="+34612000009",
            last_customer_message_at=timezone.now(),
        )
        message = Message.objects.create(
            conversation=conversation,
            channel=Channel.WHATSAPP,
            direction="out",
            sender="bot",
            text="¡Hola! ¿Qué te apetece?",
            delivery_status="pending",
        )
        WhatsAppDelivery.objects.create(message=message)
        return message


def _kill_mid_send(handle: TenantHandle, message: Message, fake: FakeProvider) -> None:
    fake.hold.clear()
    worker = _worker(handle, message.conversation_id, fake)
    try:
        assert fake.holding.wait(60), worker.communicate()[1] if worker.poll() is not None else ""
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)
    finally:
        fake.hold.set()
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)


def _state(handle: TenantHandle, message: Message) -> tuple[str, str, str]:
    with schema_context(handle.schema_name):
        delivery = WhatsAppDelivery.objects.select_related("message").get(message=message)
        return (
            delivery.state,
            delivery.message.delivery_status,
            delivery.message.provider_message_id,
        )


def _flush(handle: TenantHandle, message: Message) -> None:
    with tenant_context(handle.restaurant):
        conversation_flush(conversation_id=message.conversation_id)


def test_killed_after_the_provider_took_it_the_callback_reconciles_and_nothing_is_resent(
    committed_whatsapp_a: TenantHandle, fake_provider: FakeProvider
) -> None:
    handle = committed_whatsapp_a
    connect_twilio(handle)
    message = _waiting_reply(handle)
    fake_provider.hold_mode = "after"
    _kill_mid_send(handle, message, fake_provider)
    assert len(fake_provider.sent) == 1
    assert _state(handle, message) == ("sending", "pending", "")
    _flush(handle, message)  # a retry within the grace leaves the attempt alone
    assert len(fake_provider.sent) == 1
    # Twilio calls the StatusCallback URL it was given; its query names our message.
    sent = fake_provider.sent[0]
    query = "?" + urlsplit(sent.status_callback).query
    callback = {"MessageSid": sent.provider_message_id, "MessageStatus": "delivered"}
    assert twilio_post(Client(), handle, callback, query=query).status_code == 200
    assert wait_until(lambda: _state(handle, message)[0] == "accepted")
    assert wait_until(lambda: _state(handle, message)[1] == "delivered")
    assert _state(handle, message)[2] == sent.provider_message_id
    _flush(handle, message)
    assert len(fake_provider.sent) == 1


def test_killed_before_the_provider_took_it_the_message_is_sent_again_once(
    committed_whatsapp_a: TenantHandle, fake_provider: FakeProvider
) -> None:
    handle = committed_whatsapp_a
    connect_twilio(handle)
    message = _waiting_reply(handle)
    fake_provider.hold_mode = "before"
    _kill_mid_send(handle, message, fake_provider)
    assert fake_provider.sent == []
    assert _state(handle, message)[0] == "sending"
    # No callback came within the in-flight grace: the attempt is known lost.
    with schema_context(handle.schema_name):
        WhatsAppDelivery.objects.filter(message=message).update(
            sending_since=timezone.now() - timedelta(minutes=10)
        )
    _flush(handle, message)
    _flush(handle, message)
    assert [s.text for s in fake_provider.sent] == ["¡Hola! ¿Qué te apetece?"]
    assert _state(handle, message)[:2] == ("accepted", "sent")
