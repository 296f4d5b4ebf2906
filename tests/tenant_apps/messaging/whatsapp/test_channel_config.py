"""The channel configuration each process keeps (channel_config): read once, dropped when the
channel changes (here or in another process), never shared between restaurants, never in
Redis. Transactional: nothing read inside a transaction is kept."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_redis import get_redis_connection  # type: ignore[import-untyped]
from django_tenants.utils import schema_context

from config.celery_app import app
from core.cache import invalidate
from core.db import use_public_schema
from core.hotpath.near import resource_stamp
from tenant_apps.messaging.models import WhatsAppInbound
from tenant_apps.messaging.whatsapp.channel_config import RESOURCE, ChannelConfig, channel_config
from tenant_apps.messaging.whatsapp.services import whatsapp_channel_disable
from tenants.secrets import secret_set
from tests.actors import TEST_ACTOR
from tests.tenant_apps.committed import delete_domain_rows
from tests.tenant_apps.messaging.whatsapp.conftest import (
    _forget_whatsapp,
    connect_twilio,
    twilio_inbound,
    twilio_post,
)
from tests.tenant_apps.messaging.whatsapp.fakes import AUTH_TOKEN
from tests.tenants.factories import TenantHandle

BRAVO_TOKEN = "twilio-auth-token-bravo"


@pytest.fixture
def channel_a(committed_tenant_a: TenantHandle) -> Iterator[TenantHandle]:
    _forget_whatsapp(committed_tenant_a.schema_name)
    connect_twilio(committed_tenant_a)
    yield committed_tenant_a
    _forget_whatsapp(committed_tenant_a.schema_name)
    # Requests leave the connection on the restaurant's schema; the transactional flush that
    # follows must empty the public tables, not the restaurant's (its owner).
    use_public_schema()


@pytest.fixture
def committed_tenant_b(transactional_db: None, tenant_b: TenantHandle) -> Iterator[TenantHandle]:
    yield tenant_b
    _forget_whatsapp(tenant_b.schema_name)
    delete_domain_rows(tenant_b.schema_name)
    use_public_schema()


def _config(handle: TenantHandle) -> ChannelConfig | None:
    with schema_context(handle.schema_name):
        return channel_config()


def _token(handle: TenantHandle) -> str:
    config = _config(handle)
    assert config is not None
    return config.credentials["auth_token"]


def _stamp(handle: TenantHandle) -> bytes | None:
    """The version token every process follows for this restaurant's channel."""
    with schema_context(handle.schema_name):
        return resource_stamp(RESOURCE)


def _stored(handle: TenantHandle) -> int:
    with schema_context(handle.schema_name):
        return WhatsAppInbound.objects.count()


def test_a_process_reads_the_channel_once_and_then_keeps_it(channel_a: TenantHandle) -> None:
    first = _config(channel_a)
    with CaptureQueriesContext(connection) as queries:
        again = _config(channel_a)
    assert len(queries.captured_queries) == 0
    assert again == first
    assert again is not None
    assert again.credentials["auth_token"] == AUTH_TOKEN


def test_reconfiguring_the_channel_is_seen_by_the_next_webhook(channel_a: TenantHandle) -> None:
    assert _token(channel_a) == AUTH_TOKEN  # kept
    followed = _stamp(channel_a)
    connect_twilio(channel_a, auth_token="twilio-auth-token-rotated")
    assert _stamp(channel_a) not in (None, followed)  # other processes read it again too
    assert _token(channel_a) == "twilio-auth-token-rotated"
    old = twilio_post(Client(), channel_a, twilio_inbound("hola"))
    new = twilio_post(
        Client(), channel_a, twilio_inbound("hola"), auth_token="twilio-auth-token-rotated"
    )
    assert (old.status_code, new.status_code) == (403, 200)


def test_a_change_made_by_another_process_is_seen_on_the_next_read(
    channel_a: TenantHandle,
) -> None:
    assert _token(channel_a) == AUTH_TOKEN  # kept
    # What the channel services do in another process: write, and bump the version token
    # in Redis (this process's copy is not dropped by hand).
    with schema_context(channel_a.schema_name), transaction.atomic():
        secret_set(
            schema_name=channel_a.schema_name, kind="twilio_auth_token", value="from-elsewhere"
        )
        invalidate(RESOURCE)
    assert _token(channel_a) == "from-elsewhere"


def test_disabling_the_channel_is_seen_at_once_and_webhooks_answer_404(
    channel_a: TenantHandle,
) -> None:
    assert _config(channel_a) is not None  # kept
    followed = _stamp(channel_a)
    with schema_context(channel_a.schema_name):
        whatsapp_channel_disable(actor=TEST_ACTOR)
    assert _stamp(channel_a) not in (None, followed)  # other processes read it again too
    assert _config(channel_a) is None
    assert twilio_post(Client(), channel_a, twilio_inbound("hola")).status_code == 404
    assert _stored(channel_a) == 0


def test_a_secret_changed_outside_the_channel_services_is_checked_before_refusing(
    channel_a: TenantHandle,
) -> None:
    assert _token(channel_a) == AUTH_TOKEN  # kept
    # The `secrets` command writes the secret and bumps no version token.
    secret_set(schema_name=channel_a.schema_name, kind="twilio_auth_token", value="cli-token")
    accepted = twilio_post(Client(), channel_a, twilio_inbound("hola"), auth_token="cli-token")
    refused = twilio_post(Client(), channel_a, twilio_inbound("hola"), auth_token="wrong")
    assert (accepted.status_code, refused.status_code) == (200, 403)
    assert _stored(channel_a) == 1


def test_restaurant_as_kept_credentials_are_never_used_for_restaurant_b(
    channel_a: TenantHandle, committed_tenant_b: TenantHandle
) -> None:
    assert _token(channel_a) == AUTH_TOKEN  # kept for A
    assert _config(committed_tenant_b) is None  # B has no channel: A's is not B's
    assert twilio_post(Client(), committed_tenant_b, twilio_inbound("hola")).status_code == 404
    connect_twilio(committed_tenant_b, auth_token=BRAVO_TOKEN)
    assert _token(committed_tenant_b) == BRAVO_TOKEN
    signed_by_a = twilio_post(Client(), committed_tenant_b, twilio_inbound("hola"))
    signed_by_b = twilio_post(
        Client(), committed_tenant_b, twilio_inbound("hola"), auth_token=BRAVO_TOKEN
    )
    assert (signed_by_a.status_code, signed_by_b.status_code) == (403, 200)
    assert _token(channel_a) == AUTH_TOKEN
    b_signed_for_a = twilio_post(
        Client(), channel_a, twilio_inbound("hola"), auth_token=BRAVO_TOKEN
    )
    assert b_signed_for_a.status_code == 403
    assert (_stored(channel_a), _stored(committed_tenant_b)) == (0, 1)


def test_a_configuration_rolled_back_is_not_kept(channel_a: TenantHandle) -> None:
    assert _token(channel_a) == AUTH_TOKEN  # kept
    seen_inside = ""
    with transaction.atomic():
        connect_twilio(channel_a, auth_token="never-committed")
        seen_inside = _token(channel_a)  # its own write, read in the transaction
        transaction.set_rollback(True)
    assert seen_inside == "never-committed"
    assert _token(channel_a) == AUTH_TOKEN


def test_no_secret_is_written_to_redis(channel_a: TenantHandle) -> None:
    assert _token(channel_a) == AUTH_TOKEN
    assert twilio_post(Client(), channel_a, twilio_inbound("hola")).status_code == 200
    redis = get_redis_connection("default")
    for key in redis.scan_iter(match=f"{channel_a.schema_name}:*", count=1000):
        if redis.type(key) == b"string":
            assert AUTH_TOKEN.encode() not in (redis.get(key) or b"")


@pytest.mark.parametrize(
    "task", ["whatsapp.inbound_process", "whatsapp.conversation_flush", "whatsapp.status_apply"]
)
def test_whatsapp_tasks_go_to_the_interactive_queue(task: str) -> None:
    assert app.amqp.router.route({}, task)["queue"].name == "interactive"
