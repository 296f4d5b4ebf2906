"""Webhooks: signatures (Twilio's own validator made the vectors), the Meta handshake, and
what a refused request leaves behind (nothing)."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from tenant_apps.messaging.models import WhatsAppInbound
from tenants.services import restaurant_suspend
from tests.tenant_apps.messaging.whatsapp.conftest import (
    APP_SECRET,
    VERIFY_TOKEN,
    connect_meta,
    connect_twilio,
    hook_url,
    meta_payload,
    meta_post,
    meta_text,
    twilio_inbound,
    twilio_post,
)
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db


def _stored(handle: TenantHandle) -> list[str]:
    with schema_context(handle.schema_name):
        return list(WhatsAppInbound.objects.values_list("text", flat=True))


def test_a_twilio_message_signed_by_twilios_validator_is_stored(tenant_a: TenantHandle) -> None:
    connect_twilio(tenant_a)
    response = twilio_post(Client(), tenant_a, twilio_inbound("hola"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert _stored(tenant_a) == ["hola"]


@pytest.mark.parametrize("signature", ["", "bm90IGEgc2lnbmF0dXJl", "wrong"])
def test_a_missing_or_wrong_twilio_signature_is_403_logged_and_stores_nothing(
    tenant_a: TenantHandle, signature: str, caplog: pytest.LogCaptureFixture
) -> None:
    connect_twilio(tenant_a)
    with caplog.at_level(logging.WARNING, logger="security"):
        response = Client().post(
            "/webhooks/whatsapp/twilio/",
            twilio_inbound("hola"),
            HTTP_HOST=tenant_a.host,
            HTTP_X_TWILIO_SIGNATURE=signature,
        )
    assert response.status_code == 403
    assert _stored(tenant_a) == []
    assert any(r.name == "security" and "signature" in r.getMessage() for r in caplog.records)


def test_a_body_changed_after_signing_is_refused(tenant_a: TenantHandle) -> None:
    connect_twilio(tenant_a)
    params = twilio_inbound("hola")
    from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]

    from tests.tenant_apps.messaging.whatsapp.fakes import AUTH_TOKEN

    signature = RequestValidator(AUTH_TOKEN).compute_signature(hook_url(tenant_a, "twilio"), params)
    response = Client().post(
        "/webhooks/whatsapp/twilio/",
        {**params, "Body": "quiero 100 tacos"},
        HTTP_HOST=tenant_a.host,
        HTTP_X_TWILIO_SIGNATURE=signature,
    )
    assert response.status_code == 403


def test_a_webhook_signed_with_restaurant_as_token_is_refused_on_restaurant_bs_host(
    tenant_a: TenantHandle, tenant_b: TenantHandle
) -> None:
    connect_twilio(tenant_a)
    connect_twilio(tenant_b, auth_token="twilio-auth-token-bravo")
    params = twilio_inbound("hola")
    # Signed for B's URL, but with A's token: B checks with its own token.
    response = twilio_post(Client(), tenant_b, params, signed_url=hook_url(tenant_b, "twilio"))
    assert response.status_code == 403
    connect_meta(tenant_a)
    connect_meta(tenant_b, app_secret="meta-app-secret-bravo")
    response = meta_post(Client(), tenant_b, meta_payload(messages=[meta_text("hola")]))
    assert response.status_code == 403
    assert _stored(tenant_b) == []


def test_behind_a_trusted_proxy_the_public_https_url_is_the_signed_one(
    tenant_a: TenantHandle, settings: Any
) -> None:
    connect_twilio(tenant_a)
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    public = f"https://{tenant_a.host}/webhooks/whatsapp/twilio/"
    proxied = {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_PORT": "443"}
    response = twilio_post(Client(), tenant_a, twilio_inbound("hola"), signed_url=public, **proxied)
    assert response.status_code == 200
    # Without a trusted proxy, forwarded headers from the client are ignored.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 0}
    response = twilio_post(Client(), tenant_a, twilio_inbound("hola"), signed_url=public, **proxied)
    assert response.status_code == 403


def test_the_configured_public_scheme_and_port_build_the_signed_url(
    tenant_a: TenantHandle, settings: Any
) -> None:
    connect_twilio(tenant_a)
    settings.DYSA_PUBLIC_SCHEME, settings.DYSA_PUBLIC_PORT = "https", 443
    public = f"https://{tenant_a.host}/webhooks/whatsapp/twilio/"
    assert (
        twilio_post(Client(), tenant_a, twilio_inbound("a"), signed_url=public).status_code == 200
    )
    # Twilio's validator accepts the URL with the default port written out too.
    with_port = f"https://{tenant_a.host}:443/webhooks/whatsapp/twilio/"
    assert (
        twilio_post(Client(), tenant_a, twilio_inbound("b"), signed_url=with_port).status_code
        == 200
    )


def test_malformed_twilio_posts_are_400(tenant_a: TenantHandle) -> None:
    connect_twilio(tenant_a)
    assert twilio_post(Client(), tenant_a, {"Body": "no sid"}).status_code == 400
    params = twilio_inbound("x")
    del params["From"]
    assert twilio_post(Client(), tenant_a, params).status_code == 400
    assert _stored(tenant_a) == []


def test_a_restaurant_without_whatsapp_answers_404(tenant_a: TenantHandle) -> None:
    assert twilio_post(Client(), tenant_a, twilio_inbound("hola")).status_code == 404
    assert meta_post(Client(), tenant_a, meta_payload()).status_code == 404
    connect_twilio(tenant_a)  # Twilio is configured, Meta is not
    assert meta_post(Client(), tenant_a, meta_payload()).status_code == 404


def test_a_suspended_restaurant_acknowledges_twilio_and_stores_nothing(
    tenant_a: TenantHandle,
) -> None:
    """Twilio never retries a messaging webhook: a 5xx would only raise errors there."""
    connect_twilio(tenant_a)
    restaurant_suspend(restaurant=tenant_a.restaurant, reason="unpaid")
    response = twilio_post(Client(), tenant_a, twilio_inbound("hola"))
    assert response.status_code == 200
    assert _stored(tenant_a) == []


def test_a_suspended_restaurant_asks_meta_to_retry_later(tenant_a: TenantHandle) -> None:
    """Meta retries for days: a 503 gets the message again once the restaurant is back."""
    connect_meta(tenant_a)
    restaurant_suspend(restaurant=tenant_a.restaurant, reason="unpaid")
    response = meta_post(Client(), tenant_a, meta_payload(messages=[meta_text("hola")]))
    assert response.status_code == 503
    assert response["Retry-After"]
    assert _stored(tenant_a) == []


def test_a_meta_message_signed_with_the_app_secret_is_stored(tenant_a: TenantHandle) -> None:
    connect_meta(tenant_a)
    response = meta_post(Client(), tenant_a, meta_payload(messages=[meta_text("hola")]))
    assert response.status_code == 200
    assert _stored(tenant_a) == ["hola"]


def test_a_meta_batch_stores_each_message_once_even_when_it_repeats_one(
    tenant_a: TenantHandle,
) -> None:
    connect_meta(tenant_a)
    first, second = meta_text("uno", wamid="wamid.ONE"), meta_text("dos", wamid="wamid.TWO")
    payload = meta_payload(messages=[first, second, first])
    assert meta_post(Client(), tenant_a, payload).status_code == 200
    assert meta_post(Client(), tenant_a, payload).status_code == 200  # redelivered
    assert sorted(_stored(tenant_a)) == ["dos", "uno"]


def test_a_meta_post_with_a_wrong_signature_is_403_and_stores_nothing(
    tenant_a: TenantHandle,
) -> None:
    connect_meta(tenant_a)
    response = meta_post(
        Client(), tenant_a, meta_payload(messages=[meta_text("hola")]), app_secret="guess"
    )
    assert response.status_code == 403
    body = json.dumps(meta_payload(messages=[meta_text("hola")])).encode()
    unsigned = Client().post(
        "/webhooks/whatsapp/meta/", body, content_type="application/json", HTTP_HOST=tenant_a.host
    )
    assert unsigned.status_code == 403
    assert _stored(tenant_a) == []


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"entry": 3}', b'{"entry": [1]}'])
def test_malformed_meta_bodies_are_400(tenant_a: TenantHandle, body: bytes) -> None:
    connect_meta(tenant_a)
    assert meta_post(Client(), tenant_a, body).status_code == 400


def test_messages_for_another_phone_number_id_are_ignored(tenant_a: TenantHandle) -> None:
    connect_meta(tenant_a)
    payload = meta_payload(messages=[meta_text("hola")])
    payload["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "999"
    assert meta_post(Client(), tenant_a, payload).status_code == 200
    assert _stored(tenant_a) == []


def test_the_meta_handshake_echoes_the_challenge_only_for_the_right_token(
    tenant_a: TenantHandle,
) -> None:
    connect_meta(tenant_a)
    query = {"hub.mode": "subscribe", "hub.challenge": "1158201444"}
    good = Client().get(
        "/webhooks/whatsapp/meta/",
        {**query, "hub.verify_token": VERIFY_TOKEN},
        HTTP_HOST=tenant_a.host,
    )
    assert (good.status_code, good.content) == (200, b"1158201444")
    bad = Client().get(
        "/webhooks/whatsapp/meta/", {**query, "hub.verify_token": "nope"}, HTTP_HOST=tenant_a.host
    )
    assert bad.status_code == 403
    wrong_mode = Client().get(
        "/webhooks/whatsapp/meta/",
        {**query, "hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN},
        HTTP_HOST=tenant_a.host,
    )
    assert wrong_mode.status_code == 403


def test_the_meta_signature_is_over_the_raw_bytes(tenant_a: TenantHandle) -> None:
    """Re-serialising the JSON (spacing, escapes) changes the bytes, so it is refused."""
    connect_meta(tenant_a)
    payload = meta_payload(messages=[meta_text("¿tenéis tacos? 🌮")])
    signed = json.dumps(payload, ensure_ascii=False).encode()
    import hashlib
    import hmac

    signature = "sha256=" + hmac.new(APP_SECRET.encode(), signed, hashlib.sha256).hexdigest()
    sent = json.dumps(payload).encode()  # the same JSON, other bytes
    response = Client().post(
        "/webhooks/whatsapp/meta/",
        sent,
        content_type="application/json",
        HTTP_HOST=tenant_a.host,
        HTTP_X_HUB_SIGNATURE_256=signature,
    )
    assert response.status_code == 403
    assert meta_post(Client(), tenant_a, signed).status_code == 200
    assert _stored(tenant_a) == ["¿tenéis tacos? 🌮"]
