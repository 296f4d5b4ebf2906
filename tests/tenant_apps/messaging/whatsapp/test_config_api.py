"""The configuration API: owners connect Twilio or Meta; credentials are write-only and
stored encrypted; the GET shows the webhook URL; DELETE disconnects."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from tenant_apps.messaging.whatsapp.credentials import credentials_get
from tenants.models import TenantSecret
from tests.tenant_apps.messaging.whatsapp.conftest import (
    twilio_inbound,
    twilio_post,
)
from tests.tenant_apps.messaging.whatsapp.fakes import ACCOUNT_SID, AUTH_TOKEN
from tests.tenant_apps.staff.factories import client_as
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db
URL = "/api/v1/channels/whatsapp/"
TWILIO = {
    "provider": "twilio",
    "phone_number": "+34 910 000 001",
    "account_sid": ACCOUNT_SID,
    "auth_token": AUTH_TOKEN,
}
META = {
    "provider": "meta",
    "phone_number": "+34910000001",
    "phone_number_id": "109876543210",
    "app_secret": "meta-app-secret-alpha",
    "verify_token": "verify-me-alpha",
    "access_token": "EAAG-secret-access-token",
}


def test_an_unconfigured_restaurant_shows_the_urls_to_paste(tenant_a: TenantHandle) -> None:
    body = client_as(tenant_a, "owner").get(URL).json()
    assert body["configured"] is False
    assert body["webhook_urls"] == {
        "twilio": f"http://{tenant_a.host}:8000/webhooks/whatsapp/twilio/",
        "meta": f"http://{tenant_a.host}:8000/webhooks/whatsapp/meta/",
    }


def test_connecting_twilio_stores_encrypted_secrets_and_never_returns_them(
    tenant_a: TenantHandle,
) -> None:
    owner = client_as(tenant_a, "owner")
    response = owner.put(URL, TWILIO, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["provider"] == "twilio"
    assert body["phone_number"] == "+34910000001"
    assert body["credentials"] == {"account_sid": True, "auth_token": True}
    assert list(body["webhook_urls"]) == ["twilio"]
    text = json.dumps(owner.get(URL).json()) + json.dumps(body)
    assert AUTH_TOKEN not in text
    assert ACCOUNT_SID not in text
    rows = TenantSecret.objects.filter(schema_name=tenant_a.schema_name, kind="twilio_auth_token")
    assert AUTH_TOKEN not in rows.get().ciphertext
    audit = owner.get("/api/v1/audit/").content.decode()
    assert AUTH_TOKEN not in audit


def test_the_url_shown_is_the_one_signatures_are_checked_against(tenant_a: TenantHandle) -> None:
    owner = client_as(tenant_a, "owner")
    shown = owner.put(URL, TWILIO, format="json").json()["webhook_urls"]["twilio"]
    response = twilio_post(Client(), tenant_a, twilio_inbound("hola"), signed_url=shown)
    assert response.status_code == 200


def test_reconfiguring_keeps_credentials_not_given_and_switching_provider_needs_all(
    tenant_a: TenantHandle,
) -> None:
    owner = client_as(tenant_a, "owner")
    owner.put(URL, TWILIO, format="json")
    response = owner.put(URL, {"provider": "twilio", "phone_number": "+34910000002"}, format="json")
    assert response.status_code == 200
    with schema_context(tenant_a.schema_name):
        assert credentials_get(provider="twilio")["auth_token"] == AUTH_TOKEN
    switch = owner.put(URL, {"provider": "meta", "phone_number": "+34910000002"}, format="json")
    assert switch.status_code == 400
    assert set(switch.json()["errors"]) >= {"app_secret", "access_token", "phone_number_id"}
    assert owner.put(URL, META, format="json").status_code == 200
    with schema_context(tenant_a.schema_name):
        assert credentials_get(provider="twilio")["auth_token"] == ""  # forgotten


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"provider": "telegram"}, "provider"),
        ({"phone_number": "not a phone"}, "phone_number"),
        ({"auth_token": "has spaces in it"}, "auth_token"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_configuration_is_a_400_naming_the_field(
    tenant_a: TenantHandle, change: dict[str, str], field: str
) -> None:
    response = client_as(tenant_a, "owner").put(URL, {**TWILIO, **change}, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert client_as(tenant_a, "owner").get(URL).json()["configured"] is False


def test_only_integrations_manage_may_see_or_change_the_channel(tenant_a: TenantHandle) -> None:
    manager = client_as(tenant_a, "manager")
    assert manager.get(URL).status_code == 403
    assert manager.put(URL, TWILIO, format="json").status_code == 403
    assert manager.delete(URL).status_code == 403


def test_delete_disconnects_and_forgets_the_credentials(tenant_a: TenantHandle) -> None:
    owner = client_as(tenant_a, "owner")
    owner.put(URL, TWILIO, format="json")
    assert owner.delete(URL).status_code == 204
    body = owner.get(URL).json()
    assert (body["configured"], body["enabled"]) == (True, False)
    assert not TenantSecret.objects.filter(
        schema_name=tenant_a.schema_name, kind__startswith="twilio"
    ).exists()
    assert twilio_post(Client(), tenant_a, twilio_inbound("hola")).status_code == 404
    assert owner.delete(URL).status_code == 204  # disabling again changes nothing


def test_template_placeholders_must_be_numbered_without_gaps(tenant_a: TenantHandle) -> None:
    owner = client_as(tenant_a, "owner")
    response = owner.post(
        f"{URL}templates/",
        {"name": "hi", "body": "Hola {{1}} y {{3}}", "provider_ref": "hello_v1"},
        format="json",
    )
    assert response.status_code == 400
    assert "body" in response.json()["errors"]
