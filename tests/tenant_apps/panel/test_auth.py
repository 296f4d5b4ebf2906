"""Logging in to the panel: the API's credential check, its login throttle, and redirects."""

from __future__ import annotations

import re
import time

import pytest
from django.core import mail
from django.test import Client
from django_tenants.utils import schema_context

from tenant_apps.panel.models import PanelPreference
from tests.tenant_apps.panel.conftest import panel_client
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db


def test_a_page_sends_an_anonymous_visitor_to_the_login_form(tenant_a: TenantHandle) -> None:
    response = Client(HTTP_HOST=tenant_a.host).get("/panel/orders/")
    assert response.status_code == 302
    assert response["Location"] == "/panel/login/?next=%2Fpanel%2Forders%2F"


def test_the_owner_logs_in_and_lands_where_they_were_going(tenant_a: TenantHandle) -> None:
    client = Client(HTTP_HOST=tenant_a.host)
    form = client.get("/panel/login/")
    assert form.status_code == 200
    assert 'name="email"' in form.text
    assert 'name="password"' in form.text
    response = client.post(
        "/panel/login/",
        {
            "email": tenant_a.owner_email,
            "password": tenant_a.owner_password,
            "next": "/panel/orders/",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/panel/orders/"
    assert client.get("/panel/orders/").status_code == 200


def test_a_wrong_password_keeps_the_email_and_says_why(tenant_a: TenantHandle) -> None:
    response = Client(HTTP_HOST=tenant_a.host).post(
        "/panel/login/", {"email": tenant_a.owner_email, "password": "wrong-password"}
    )
    assert response.status_code == 401
    assert f'value="{tenant_a.owner_email}"' in response.text
    assert '<div class="error" role="alert">' in response.text


def test_an_offsite_next_is_ignored(tenant_a: TenantHandle) -> None:
    response = Client(HTTP_HOST=tenant_a.host).post(
        "/panel/login/",
        {
            "email": tenant_a.owner_email,
            "password": tenant_a.owner_password,
            "next": "https://evil.example/",
        },
    )
    assert response["Location"] == "/panel/"


def test_the_api_login_throttle_also_stops_the_login_form(tenant_a: TenantHandle) -> None:
    client = Client(HTTP_HOST=tenant_a.host)
    for _ in range(5):
        client.post(
            "/api/v1/auth/token/",
            {"email": tenant_a.owner_email, "password": "nope"},
            content_type="application/json",
        )
    response = client.post(
        "/panel/login/", {"email": tenant_a.owner_email, "password": tenant_a.owner_password}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_session_of_one_restaurant_is_nothing_on_another(
    tenant_a: TenantHandle, tenant_b: TenantHandle
) -> None:
    client, _ = panel_client(tenant_a, "owner")
    cookie = client.cookies["sessionid"].value
    other = Client(HTTP_HOST=tenant_b.host)
    other.cookies["sessionid"] = cookie
    assert other.get("/panel/orders/").status_code == 302


def test_logout_needs_a_post_and_ends_the_session(tenant_a: TenantHandle) -> None:
    client, _ = panel_client(tenant_a, "staff")
    assert client.get("/panel/logout/").status_code == 405
    assert client.post("/panel/logout/").status_code == 302
    assert client.get("/panel/orders/").status_code == 302


def test_the_language_switch_is_remembered_per_user(tenant_a: TenantHandle) -> None:
    client, user = panel_client(tenant_a, "staff")
    assert client.get("/panel/orders/")["Content-Language"] == "es"
    response = client.post("/panel/language/", {"language": "en", "next": "/panel/orders/"})
    assert response["Location"] == "/panel/orders/"
    page = client.get("/panel/orders/")
    assert page["Content-Language"] == "en"
    assert "Log out" in page.text
    with schema_context(tenant_a.schema_name):
        assert PanelPreference.objects.get(user=user).language == "en"


@pytest.mark.django_db(transaction=True)
def test_password_reset_emails_a_set_password_link_and_hides_unknown_emails(
    tenant_a: TenantHandle, celery_worker_session: object
) -> None:
    client = Client(HTTP_HOST=tenant_a.host)
    unknown = client.post("/panel/password-reset/", {"email": "nobody@alpha.example"})
    known = client.post("/panel/password-reset/", {"email": tenant_a.owner_email})
    assert unknown.status_code == known.status_code == 200
    assert unknown.text.replace("nobody@alpha.example", "") == known.text.replace(
        tenant_a.owner_email, ""
    )
    deadline = time.monotonic() + 10
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [message.to for message in mail.outbox] == [[tenant_a.owner_email]]
    link = re.search(r"http://\S+/account/set-password/\S+/", str(mail.outbox[0].body))
    assert link is not None
    path = link.group(0).split(tenant_a.host, 1)[1]
    assert client.get(path).status_code == 200


def test_a_support_session_shows_its_banner_on_panel_pages(tenant_a: TenantHandle) -> None:
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from django.test import RequestFactory

    from tenant_apps.panel.views.dashboard import dashboard
    from tests.tenant_apps.staff.factories import make_staff

    user = make_staff(tenant_a, "viewer")
    request = RequestFactory().get("/panel/", HTTP_HOST=tenant_a.host)
    request.user = user
    request.tenant = tenant_a.restaurant  # type: ignore[attr-defined]
    request.support_access = SimpleNamespace(  # type: ignore[attr-defined]
        reason="Ticket 4411: menu import",
        expires_at=datetime(2030, 1, 1, tzinfo=UTC),
        can_write=False,
    )
    with schema_context(tenant_a.schema_name):
        page = dashboard(request)
    text = page.content.decode()
    assert 'class="support-banner"' in text
    assert "Ticket 4411: menu import" in text
