"""The owner's support access page: only the owner sees it (and only their restaurant's
accesses), and only the owner's POST changes support's write access, through the API's rules."""

from __future__ import annotations

import pytest
from django.test import Client

from shared_apps.support.models import SupportAccess
from shared_apps.support.services import support_write_enabled
from tenant_apps.audit.models import AuditEntry
from tests.tenant_apps.panel.conftest import panel_client
from tests.tenant_apps.support_access.test_session import (
    entered,
    open_access,
    support_creates_customer,
)
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db

PAGE = "/panel/support-access/"


def test_the_owner_sees_only_their_restaurants_accesses(
    tenant_a: TenantHandle, tenant_b: TenantHandle
) -> None:
    mine, _ = open_access(tenant_a)
    theirs, _ = open_access(tenant_b)
    client, _ = panel_client(tenant_a, "owner")

    response = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-support-access="{mine.pk}"' in html
    assert f'data-support-access="{theirs.pk}"' not in html
    assert "Owner asked for help" in html
    assert 'href="/panel/support-access/"' in html  # the owner's navigation links it


def test_the_log_is_newest_first_and_paginated(tenant_a: TenantHandle) -> None:
    accesses = [open_access(tenant_a)[0] for _ in range(21)]
    client, _ = panel_client(tenant_a, "owner")

    first = client.get(PAGE).content.decode()
    second = client.get(PAGE + "?page=2").content.decode()

    assert first.index(f'"{accesses[-1].pk}"') < first.index(f'"{accesses[-2].pk}"')
    assert f'data-support-access="{accesses[0].pk}"' not in first
    assert f'data-support-access="{accesses[0].pk}"' in second


@pytest.mark.parametrize("role", ["manager", "staff", "viewer"])
def test_other_roles_get_403_and_no_link(tenant_a: TenantHandle, role: str) -> None:
    access, _ = open_access(tenant_a)
    client, _ = panel_client(tenant_a, role)

    assert client.get(PAGE).status_code == 403
    assert 'href="/panel/support-access/"' not in client.get("/panel/").content.decode()
    forged = client.post(f"{PAGE}{access.pk}/write/", {"write_access": "true"})
    assert forged.status_code == 403
    assert client.post(f"{PAGE}write/", {"write_access": "true"}).status_code == 403
    access.refresh_from_db()
    assert access.can_write is False
    assert support_write_enabled(restaurant_id=tenant_a.restaurant.pk) is False


def test_support_inside_the_panel_cannot_open_the_page_or_grant_itself(
    tenant_a: TenantHandle,
) -> None:
    browser, access = entered(tenant_a)

    assert browser.get(PAGE).status_code == 403
    # Refused as a write of a read-only access, before the page is reached.
    assert browser.post(f"{PAGE}{access.pk}/write/", {"write_access": "true"}).status_code == 403
    access.refresh_from_db()
    assert access.can_write is False


def test_the_owner_grants_write_access_for_one_case_and_support_may_then_write(
    tenant_a: TenantHandle,
) -> None:
    browser, access = entered(tenant_a)
    other, _ = open_access(tenant_a)
    owner, _ = panel_client(tenant_a, "owner")

    response = owner.post(f"{PAGE}{access.pk}/write/", {"write_access": "true"})

    assert response.status_code == 302
    access.refresh_from_db()
    other.refresh_from_db()
    assert access.can_write is True
    assert other.can_write is False  # for this case only
    assert AuditEntry.objects.filter(action="support_access.write_grant").exists()
    assert support_creates_customer(browser, "+34600999555") == 201

    owner.post(f"{PAGE}{access.pk}/write/", {"write_access": "false"})
    assert support_creates_customer(browser, "+34600999444") == 403


def test_another_restaurants_access_is_404_and_unchanged(
    tenant_a: TenantHandle, tenant_b: TenantHandle
) -> None:
    theirs, _ = open_access(tenant_b)
    owner, _ = panel_client(tenant_a, "owner")

    assert owner.post(f"{PAGE}{theirs.pk}/write/", {"write_access": "true"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.can_write is False


def test_an_access_that_is_over_cannot_be_granted(tenant_a: TenantHandle) -> None:
    from django.utils import timezone

    access, _ = open_access(tenant_a)
    SupportAccess.objects.filter(pk=access.pk).update(ended_at=timezone.now())
    owner, _ = panel_client(tenant_a, "owner")

    response = owner.post(f"{PAGE}{access.pk}/write/", {"write_access": "true"})

    assert response.status_code == 400
    access.refresh_from_db()
    assert access.can_write is False


def test_the_owner_switches_write_access_for_new_accesses(tenant_a: TenantHandle) -> None:
    owner, _ = panel_client(tenant_a, "owner")

    assert owner.post(f"{PAGE}write/", {"write_access": "true"}).status_code == 302
    assert support_write_enabled(restaurant_id=tenant_a.restaurant.pk) is True
    assert open_access(tenant_a)[0].can_write is True
    assert owner.post(f"{PAGE}write/", {"write_access": "maybe"}).status_code == 400
    assert owner.post(f"{PAGE}write/", {"write_access": "false"}).status_code == 302
    assert support_write_enabled(restaurant_id=tenant_a.restaurant.pk) is False


def test_the_page_speaks_spanish(tenant_a: TenantHandle) -> None:
    open_access(tenant_a)
    owner, _ = panel_client(tenant_a, "owner")
    owner.post("/panel/language/", {"language": "es", "next": PAGE})

    html = owner.get(PAGE).content.decode()

    assert "Acceso de soporte" in html
    assert "Solo lectura" in html


def test_an_anonymous_visitor_is_sent_to_login(tenant_a: TenantHandle) -> None:
    response = Client(HTTP_HOST=tenant_a.host).get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/panel/login/")
