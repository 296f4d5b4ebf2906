"""The board's cheap live-update poll (tenant_apps/panel/access.py, middleware.py): an
unchanged poll is a 204 decided without the session or the database, and only for the token's
own restaurant, resource and login session while the token lasts. Anything else takes the full
path, which checks the session and the page's permission as every page does."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from shared_apps.support.models import SupportAccessEvent
from tenant_apps.panel import access
from tests.tenant_apps.panel.conftest import panel_client
from tests.tenant_apps.support_access.test_session import entered
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def _poll_query(client: Client) -> str:
    """`?v=...&t=...` as the board page gives it to its poll."""
    page = client.get("/panel/orders/")
    found = re.search(r'hx-get="/panel/orders/board/(\?v=[0-9a-f]+&amp;t=[^"]+)"', page.text)
    assert found is not None
    return found.group(1).replace("&amp;", "&")


def _token(query: str) -> str:
    return query.split("&t=", 1)[1]


def _sent_to_login(response: object) -> bool:
    """The full path's answer to an htmx poll without a valid session: reload onto the login."""
    return str(getattr(response, "headers", {}).get("HX-Redirect", "")).startswith("/panel/login/")


def test_an_unchanged_poll_is_a_204_without_session_or_database_work(
    tenant_a: TenantHandle,
) -> None:
    client, _ = panel_client(tenant_a, "staff")
    query = _poll_query(client)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/panel/orders/board/{query}", headers=HTMX)

    assert response.status_code == 204
    # Only the host's routing (its cache is off in tests): no session, user or restaurant table.
    routing = [q["sql"] for q in queries.captured_queries if "tenants_domain" not in q["sql"]]
    assert routing in ([], ['SET search_path = "public"'])
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert response["X-Frame-Options"] == "DENY"


def test_the_waiting_badge_poll_of_every_page_is_answered_as_early(
    tenant_a: TenantHandle,
) -> None:
    client, _ = panel_client(tenant_a, "staff")
    page = client.get("/panel/menu/")
    found = re.search(r'hx-get="(/panel/conversations/waiting/\?v=[^"]+)"', page.text)
    assert found is not None

    with CaptureQueriesContext(connection) as queries:
        response = client.get(found.group(1).replace("&amp;", "&"), headers=HTMX)

    assert response.status_code == 204
    assert not [q for q in queries.captured_queries if "django_session" in q["sql"]]


def test_a_poll_without_its_token_or_version_takes_the_checked_path(
    tenant_a: TenantHandle,
) -> None:
    client, _ = panel_client(tenant_a, "staff")
    query = _poll_query(client)
    version = query.split("&t=")[0]

    for bare in ("", version, f"?t={_token(query)}"):
        response = client.get(f"/panel/orders/board/{bare}", headers=HTMX)
        assert response.status_code == 200
        assert 'id="board"' in response.text
        anonymous = Client(HTTP_HOST=tenant_a.host).get(f"/panel/orders/board/{bare}", headers=HTMX)
        assert _sent_to_login(anonymous)


def test_a_valid_token_tells_a_client_without_the_session_nothing(
    tenant_a: TenantHandle,
) -> None:
    client, _ = panel_client(tenant_a, "staff")
    query = _poll_query(client)

    anonymous = Client(HTTP_HOST=tenant_a.host)
    assert _sent_to_login(anonymous.get(f"/panel/orders/board/{query}", headers=HTMX))
    assert anonymous.get(f"/panel/orders/board/{query}").status_code == 302
    anonymous.cookies[settings.SESSION_COOKIE_NAME] = "not-a-session-key"
    assert _sent_to_login(anonymous.get(f"/panel/orders/board/{query}", headers=HTMX))


def test_a_poll_after_the_session_ended_returns_to_its_page_after_login(
    tenant_a: TenantHandle,
) -> None:
    client, _ = panel_client(tenant_a, "staff")
    query = _poll_query(client)
    client.logout()

    response = client.get(
        f"/panel/orders/board/{query}",
        headers={**HTMX, "HX-Current-URL": f"http://{tenant_a.host}/panel/orders/"},
    )

    assert response["HX-Redirect"] == "/panel/login/?next=%2Fpanel%2Forders%2F"


def test_another_users_session_does_not_borrow_a_token(tenant_a: TenantHandle) -> None:
    staff, _ = panel_client(tenant_a, "staff")
    query = _poll_query(staff)
    viewer, _ = panel_client(tenant_a, "viewer")

    response = viewer.get(f"/panel/orders/board/{query}", headers=HTMX)

    assert response.status_code == 200  # rendered for the viewer, after their own checks
    assert "/advance/" not in response.text


def test_an_expired_token_takes_the_checked_path(
    tenant_a: TenantHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, _ = panel_client(tenant_a, "staff")
    monkeypatch.setattr(access, "POLL_TOKEN_SECONDS", -1)
    query = _poll_query(client)

    response = client.get(f"/panel/orders/board/{query}", headers=HTMX)

    assert response.status_code == 200
    assert 'id="board"' in response.text


def test_a_tampered_token_takes_the_checked_path(tenant_a: TenantHandle) -> None:
    client, user = panel_client(tenant_a, "staff")
    query = _poll_query(client)
    version, token = query.split("&t=")
    schema, resource, user_id, expires, session, signature = token.split(":")
    forged = [
        f"{schema}:{resource}:{user.pk + 1}:{expires}:{session}:{signature}",
        f"{schema}:{resource}:{user_id}:{int(expires) + 3600}:{session}:{signature}",
        f"{schema}:{resource}:{user_id}:{expires}:{'0' * len(session)}:{signature}",
        f"{schema}:{resource}:{user_id}:{expires}:{session}:{'0' * len(signature)}",
        f"{schema}:{resource}:{user_id}:{expires}:{session}",
        f"{schema}:{resource}:{user_id}:{expires}:{session}:{signature}\u00e9",
    ]
    for token in forged:
        response = client.get(f"/panel/orders/board/{version}&t={token}", headers=HTMX)
        assert response.status_code == 200, token
        assert 'id="board"' in response.text
    assert client.get(f"/panel/orders/board/{query}", headers=HTMX).status_code == 204


def test_a_token_of_another_resource_or_restaurant_takes_the_checked_path(
    tenant_a: TenantHandle, tenant_b: TenantHandle
) -> None:
    client_a, _ = panel_client(tenant_a, "staff")
    query = _poll_query(client_a)

    # The orders token on the conversations list: checked, rendered for this session.
    other = client_a.get(f"/panel/conversations/list/{query}", headers=HTMX)
    assert other.status_code == 200
    # Restaurant A's token and session cookie on restaurant B's host.
    on_b = Client(HTTP_HOST=tenant_b.host)
    on_b.cookies = client_a.cookies
    assert _sent_to_login(on_b.get(f"/panel/orders/board/{query}", headers=HTMX))
    assert on_b.get(f"/panel/orders/board/{query}").status_code == 302


def test_support_staffs_polls_are_checked_and_logged_every_time(tenant_a: TenantHandle) -> None:
    browser, support_access = entered(tenant_a)
    query = _poll_query(browser)

    response = browser.get(f"/panel/orders/board/{query}", headers=HTMX)

    assert response.status_code == 200
    logged = SupportAccessEvent.objects.filter(
        access=support_access, path__startswith="/panel/orders/board/?"
    )
    assert logged.exists()
