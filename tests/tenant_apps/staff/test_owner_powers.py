"""Owner-only powers cannot be delegated: a manager handed staff or role powers still cannot
create, promote or change an owner (the attack of an outside review, finding 6)."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from core.actors import Actor
from tenant_apps.staff.models import Role
from tenant_apps.staff.permissions import OWNER_ONLY_PERMISSIONS
from tests.tenant_apps.staff.factories import STAFF_PASSWORD, client_as, make_staff
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db


def test_the_owner_cannot_give_owner_only_powers_to_the_manager(tenant_a: TenantHandle) -> None:
    owner = client_as(tenant_a, "owner")
    manager_permissions = owner.get("/api/v1/staff/roles/").json()["results"][1]["permissions"]

    response = owner.patch(
        "/api/v1/staff/roles/manager/",
        {"permissions": [*manager_permissions, "staff.manage", "roles.manage"]},
        format="json",
    )

    assert response.status_code == 400
    assert "permissions" in response.json()["errors"]
    manager = client_as(tenant_a, "manager")
    assert (
        manager.post(
            "/api/v1/staff/", {"email": "x@example.com", "role": "owner"}, format="json"
        ).status_code
        == 403
    )


def test_owner_only_powers_stored_on_a_role_row_give_nothing(tenant_a: TenantHandle) -> None:
    """A row written before the refusal existed (or by hand) still delegates nothing."""
    with schema_context(tenant_a.schema_name):
        role = Role.objects.get(code="manager")
        role.permissions = sorted({*role.permissions, *OWNER_ONLY_PERMISSIONS})
        role.save()
        from core.cache import invalidate

        invalidate("settings")
    manager = client_as(tenant_a, "manager")
    owner = make_staff(tenant_a, "owner")

    create_owner = manager.post(
        "/api/v1/staff/", {"email": "evil@example.com", "role": "owner"}, format="json"
    )
    reset = manager.post(
        f"/api/v1/staff/{owner.pk}/password/", {"password": "takeover-9713"}, format="json"
    )

    assert (create_owner.status_code, reset.status_code) == (403, 403)


def test_only_an_owner_creates_promotes_or_changes_an_owner(tenant_a: TenantHandle) -> None:
    """The service refuses a non-owner actor, whatever permission let the call through."""
    from django.core.exceptions import PermissionDenied

    from tenant_apps.staff.services import staff_create, staff_set_password, staff_update

    manager = make_staff(tenant_a, "manager")
    owner = make_staff(tenant_a, "owner")
    cook = make_staff(tenant_a, "staff")
    with schema_context(tenant_a.schema_name):
        with pytest.raises(PermissionDenied):
            staff_create(actor=Actor.staff(manager), email="new-owner@example.com", role="owner")
        with pytest.raises(PermissionDenied):
            staff_update(actor=Actor.staff(manager), user=cook, changes={"role": "owner"})
        with pytest.raises(PermissionDenied):
            staff_update(actor=Actor.staff(manager), user=owner, changes={"is_active": False})
        with pytest.raises(PermissionDenied):
            staff_set_password(actor=Actor.staff(manager), user=owner, password="takeover-9713")
        promoted = staff_update(actor=Actor.staff(owner), user=cook, changes={"role": "owner"})
        staff_set_password(actor=Actor.staff(owner), user=manager, password=STAFF_PASSWORD + "x")

    assert promoted.role == "owner"
