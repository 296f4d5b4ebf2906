"""Fixtures for the WhatsApp channel: the fake provider, connected restaurants, signed
webhooks (Twilio's signatures made by twilio's own RequestValidator; Meta's by a plain HMAC
written here, independent of the code under test)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import schema_context
from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]

from core.db import use_public_schema
from tenant_apps.messaging.whatsapp.selectors import webhook_url
from tenant_apps.messaging.whatsapp.services import whatsapp_channel_configure
from tenants.selectors import restaurant_primary_url
from tests.actors import TEST_ACTOR
from tests.tenant_apps.messaging.whatsapp.fakes import (
    ACCESS_TOKEN,
    ACCOUNT_SID,
    AUTH_TOKEN,
    PHONE_NUMBER_ID,
    FakeProvider,
)
from tests.tenants.factories import TenantHandle

RESTAURANT_NUMBER = "+34910000001"
APP_SECRET = "meta-app-secret-alpha"
VERIFY_TOKEN = "verify-me-alpha"


@pytest.fixture
def fake_provider(settings: Any) -> Iterator[FakeProvider]:
    fake = FakeProvider().start()
    settings.DYSA_TWILIO_API_BASE = fake.base
    settings.DYSA_META_GRAPH_BASE = fake.base
    settings.DYSA_WHATSAPP_RETRY_BASE_SECONDS = 0.1
    yield fake
    fake.stop()


def connect_twilio(handle: TenantHandle, *, auth_token: str = AUTH_TOKEN) -> None:
    with schema_context(handle.schema_name):
        whatsapp_channel_configure(
            actor=TEST_ACTOR,
            provider="twilio",
            phone_number=RESTAURANT_NUMBER,
            credentials={"account_sid": ACCOUNT_SID, "auth_token": auth_token},
        )


def connect_meta(handle: TenantHandle, *, app_secret: str = APP_SECRET) -> None:
    with schema_context(handle.schema_name):
        whatsapp_channel_configure(
            actor=TEST_ACTOR,
            provider="meta",
            phone_number=RESTAURANT_NUMBER,
            credentials={
                "phone_number_id": PHONE_NUMBER_ID,
                "app_secret": app_secret,
                "verify_token": VERIFY_TOKEN,
                "access_token": ACCESS_TOKEN,
            },
        )


def hook_url(handle: TenantHandle, provider: str) -> str:
    return webhook_url(base_url=restaurant_primary_url(handle.restaurant), provider=provider)


def twilio_inbound(text: str, *, sender: str = "+34612000001", sid: str = "") -> dict[str, str]:
    return {
        "MessageSid": sid or "SM" + uuid.uuid4().hex,
        "AccountSid": ACCOUNT_SID,
        "From": f"whatsapp:{sender}",
        "To": f"whatsapp:{RESTAURANT_NUMBER}",
        "Body": text,
        "NumMedia": "0",
        "ProfileName": "Ana",
        "WaId": sender.lstrip("+"),
        "SmsStatus": "received",
    }


def twilio_post(
    client: Client,
    handle: TenantHandle,
    params: dict[str, str],
    *,
    auth_token: str = AUTH_TOKEN,
    signed_url: str = "",
    query: str = "",
    **headers: Any,
) -> Any:
    url = (signed_url or hook_url(handle, "twilio")) + query
    signature = RequestValidator(auth_token).compute_signature(url, params)
    return client.post(
        "/webhooks/whatsapp/twilio/" + query,
        params,
        HTTP_HOST=handle.host,
        HTTP_X_TWILIO_SIGNATURE=signature,
        **headers,
    )


def meta_payload(
    *,
    messages: Sequence[dict[str, Any]] = (),
    statuses: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "WABA-1",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": RESTAURANT_NUMBER.lstrip("+"),
                                "phone_number_id": PHONE_NUMBER_ID,
                            },
                            "contacts": [
                                {"profile": {"name": "Ana"}, "wa_id": m["from"]} for m in messages
                            ],
                            "messages": list(messages),
                            "statuses": list(statuses),
                        },
                    }
                ],
            }
        ],
    }


def meta_text(text: str, *, sender: str = "34612000001", wamid: str = "") -> dict[str, Any]:
    return {
        "from": sender,
        "id": wamid or "wamid.IN" + uuid.uuid4().hex,
        "timestamp": str(int(time.time())),
        "type": "text",
        "text": {"body": text},
    }


def meta_post(
    client: Client, handle: TenantHandle, payload: Any, *, app_secret: str = APP_SECRET
) -> Any:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    signature = "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return client.post(
        "/webhooks/whatsapp/meta/",
        body,
        content_type="application/json",
        HTTP_HOST=handle.host,
        HTTP_X_HUB_SIGNATURE_256=signature,
    )


def wait_until(check: Callable[[], Any], *, timeout: float = 20.0) -> Any:
    """Poll until `check()` is truthy (the worker runs on its own); its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def _forget_whatsapp(schema_name: str) -> None:
    from tenant_apps.conversations.models import Conversation
    from tenant_apps.customers.models import Customer
    from tenant_apps.messaging.models import (
        WhatsAppChannel,
        WhatsAppInbound,
        WhatsAppTemplate,
    )
    from tenant_apps.orders.models import Order

    with schema_context(schema_name):
        Order.objects.all().delete()
        Conversation.objects.all().delete()
        Customer.objects.all().delete()
        for model in (WhatsAppInbound, WhatsAppTemplate, WhatsAppChannel):
            model.objects.all().delete()


@pytest.fixture
def committed_whatsapp_a(
    committed_tenant_a: TenantHandle, celery_worker_session: object
) -> Iterator[TenantHandle]:
    """Tenant A whose writes commit, with the real Celery worker running; WhatsApp rows,
    conversations and customers are deleted before and after."""
    from tenant_apps.restaurant.services import restaurant_initialize

    _forget_whatsapp(committed_tenant_a.schema_name)
    with schema_context(committed_tenant_a.schema_name):
        restaurant_initialize(restaurant=committed_tenant_a.restaurant)
    yield committed_tenant_a
    _forget_whatsapp(committed_tenant_a.schema_name)
    # Requests leave the connection on the restaurant's schema; the transactional flush
    # that follows must not empty the restaurant's tables (its profile, its staff).
    use_public_schema()
