"""The role and permission matrix: the owner edits it through role_update; owner-only powers
are refused by the service, its reason next to the field; nobody else sees or posts it."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from tenant_apps.staff.selectors import role_permissions
from tests.tenant_apps.panel.conftest import panel_client
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db


def test_the_owner_takes_a_permission_away_from_staff(tenant_a: TenantHandle) -> None:
    client, _ = panel_client(tenant_a, "owner")
    assert "/panel/staff/roles/" in client.get("/panel/staff/").text
    matrix = client.get("/panel/staff/roles/")
    assert matrix.status_code == 200
    assert 'name="staff-permissions" value="orders.cancel"' in matrix.text
    with schema_context(tenant_a.schema_name):
        wanted = sorted(role_permissions()["staff"] - {"orders.cancel"})
    response = client.post("/panel/staff/roles/staff/", {"staff-permissions": wanted})
    assert response.status_code == 302
    with schema_context(tenant_a.schema_name):
        assert "orders.cancel" not in role_permissions()["staff"]
        assert "orders.update_status" in role_permissions()["staff"]


def test_an_owner_only_power_is_refused_next_to_the_field(tenant_a: TenantHandle) -> None:
    client, _ = panel_client(tenant_a, "owner")
    with schema_context(tenant_a.schema_name):
        before = role_permissions()["manager"]
    wanted = [*sorted(before), "staff.manage"]
    response = client.post("/panel/staff/roles/manager/", {"manager-permissions": wanted})
    assert response.status_code == 400
    assert 'id="id_manager-permissions_error"' in response.text
    assert "cannot be delegated" in response.text
    with schema_context(tenant_a.schema_name):
        assert role_permissions()["manager"] == before


def test_a_manager_cannot_see_or_post_the_role_matrix(tenant_a: TenantHandle) -> None:
    client, _ = panel_client(tenant_a, "manager")
    assert "/panel/staff/roles/" not in client.get("/panel/staff/").text
    assert client.get("/panel/staff/roles/").status_code == 403
    forged = client.post("/panel/staff/roles/staff/", {"staff-permissions": ["menu.view"]})
    assert forged.status_code == 403
    with schema_context(tenant_a.schema_name):
        assert "orders.view" in role_permissions()["staff"]


def test_the_permissions_are_described_in_the_users_language(tenant_a: TenantHandle) -> None:
    client, _ = panel_client(tenant_a, "owner")
    client.post("/panel/language/", {"language": "es", "next": "/panel/"})
    assert "Cancelar pedidos" in client.get("/panel/staff/roles/").text
