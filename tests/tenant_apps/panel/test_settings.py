"""Settings: each form writes through the restaurant/assistant/messaging services with the
permission of the matching API endpoint; mistakes are shown next to the field."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from tenant_apps.messaging.selectors import webchat_settings_get
from tenant_apps.restaurant.selectors import restaurant_profile_get
from tests.tenant_apps.panel.conftest import panel_client
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db


def test_the_settings_page_shows_the_embed_snippet(tenant_a: TenantHandle) -> None:
    client, _ = panel_client(tenant_a, "owner")
    page = client.get("/panel/settings/")
    assert page.status_code == 200
    assert f"http://{tenant_a.host}/widget.js" in page.text


def test_hours_are_replaced_and_a_bad_span_is_refused(tenant_a: TenantHandle) -> None:
    client, _ = panel_client(tenant_a, "manager")
    week = {f"day{day}": "12:00-16:00, 20:00-23:30" for day in range(7)}
    assert client.post("/panel/settings/hours/", {**week, "day0": ""}).status_code == 302
    with schema_context(tenant_a.schema_name):
        profile = restaurant_profile_get()
    assert profile.shifts_on(0) == []
    assert len(profile.shifts_on(1)) == 2
    bad = client.post("/panel/settings/hours/", {**week, "day2": "noon till late"})
    assert bad.status_code == 400
    assert 'value="noon till late"' in bad.text


def test_widget_origins_are_saved_and_a_bad_one_is_named(tenant_a: TenantHandle) -> None:
    client, _ = panel_client(tenant_a, "owner")
    ok = client.post(
        "/panel/settings/webchat/",
        {"enabled": "on", "allowed_origins": "https://www.example.com", "accent_color": "#c2410c"},
    )
    assert ok.status_code == 302
    with schema_context(tenant_a.schema_name):
        assert webchat_settings_get().allowed_origins == ["https://www.example.com"]
    bad = client.post(
        "/panel/settings/webchat/",
        {"enabled": "on", "allowed_origins": "not a site", "accent_color": "#c2410c"},
    )
    assert bad.status_code == 400
    assert "field-error" in bad.text


def test_a_viewer_sees_the_settings_disabled_and_cannot_post(tenant_a: TenantHandle) -> None:
    client, _ = panel_client(tenant_a, "viewer")
    page = client.get("/panel/settings/")
    assert "<fieldset disabled>" in page.text
    refused = client.post(
        "/panel/settings/profile/", {"name": "Hacked", "currency": "EUR", "timezone": "UTC"}
    )
    assert refused.status_code == 403
    with schema_context(tenant_a.schema_name):
        assert restaurant_profile_get().name != "Hacked"
