"""`PUT /api/v1/support-access/<id>/`: the owner's write grant for one case (the panel page's
button goes through the same service)."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from tenant_apps.audit.models import AuditEntry
from tests.tenant_apps.staff.factories import client_as
from tests.tenant_apps.support_access.test_session import open_access, owner_client
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db


def put_grant(client: APIClient, access_id: int, write_access: object = True) -> Any:
    return client.put(
        f"/api/v1/support-access/{access_id}/", {"write_access": write_access}, format="json"
    )


def test_the_owner_grants_one_case_and_takes_it_back(tenant_a: TenantHandle) -> None:
    access, _ = open_access(tenant_a)
    owner = owner_client(tenant_a)

    granted = put_grant(owner, access.pk, True)

    assert granted.status_code == 200
    assert granted.json()["can_write"] is True
    taken = put_grant(owner, access.pk, False)
    assert taken.json()["can_write"] is False
    assert AuditEntry.objects.filter(action="support_access.write_grant").count() >= 2


def test_another_restaurants_access_is_404(tenant_a: TenantHandle, tenant_b: TenantHandle) -> None:
    theirs, _ = open_access(tenant_b)

    assert put_grant(owner_client(tenant_a), theirs.pk).status_code == 404
    theirs.refresh_from_db()
    assert theirs.can_write is False


def test_a_manager_cannot_grant(tenant_a: TenantHandle) -> None:
    access, _ = open_access(tenant_a)

    assert put_grant(client_as(tenant_a, "manager"), access.pk).status_code == 403
    access.refresh_from_db()
    assert access.can_write is False


def test_bad_input_is_a_400_with_field_errors(tenant_a: TenantHandle) -> None:
    access, _ = open_access(tenant_a)

    response = put_grant(owner_client(tenant_a), access.pk, "perhaps")

    assert response.status_code == 400
    assert "write_access" in str(response.json())
