"""Promotions API: edits and their audit trail."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from tests.tenant_apps.audit.entries import audit_entry
from tests.tenant_apps.staff.factories import client_as
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db


def test_editing_a_promotion_audits_it_before_and_after(tenant_a: TenantHandle) -> None:
    owner = client_as(tenant_a, "owner")
    promotion = owner.post(
        "/api/v1/promotions/",
        {"name": {"es": "Martes"}, "kind": "percent", "value": "10"},
        format="json",
    ).json()

    response = owner.patch(f"/api/v1/promotions/{promotion['id']}/", {"value": "15"}, format="json")

    assert response.status_code == 200
    entry = audit_entry(tenant_a, "promotions.promotion.update")
    assert (entry.target_type, entry.target_id) == ("promotions.promotion", str(promotion["id"]))
    assert entry.summary == "Martes"
    assert (entry.before, entry.after) == (
        {"value": promotion["value"]},
        {"value": response.json()["value"]},
    )


def test_an_end_already_past_is_a_400_and_ending_one_early_uses_is_active(
    tenant_a: TenantHandle,
) -> None:
    owner = client_as(tenant_a, "owner")
    body = {"name": {"es": "Ayer"}, "kind": "percent", "value": "10"}
    past = (timezone.now() - timedelta(hours=1)).isoformat()

    refused = owner.post("/api/v1/promotions/", {**body, "ends_at": past}, format="json")
    created = owner.post("/api/v1/promotions/", body, format="json").json()
    moved = owner.patch(f"/api/v1/promotions/{created['id']}/", {"ends_at": past}, format="json")
    stopped = owner.patch(
        f"/api/v1/promotions/{created['id']}/", {"is_active": False}, format="json"
    )

    assert refused.status_code == 400
    assert "ends_at" in refused.json()["errors"]
    assert moved.status_code == 400
    assert "ends_at" in moved.json()["errors"]
    assert stopped.status_code == 200


def test_a_window_without_offsets_is_in_the_restaurants_timezone(tenant_a: TenantHandle) -> None:
    from django_tenants.utils import schema_context

    from tenant_apps.restaurant.selectors import restaurant_profile_get

    with schema_context(tenant_a.schema_name):
        tz = restaurant_profile_get().tz
    day = (timezone.now().astimezone(tz) + timedelta(days=7)).date()

    response = client_as(tenant_a, "owner").post(
        "/api/v1/promotions/",
        {
            "name": {"es": "Martes"},
            "kind": "percent",
            "value": "10",
            "starts_at": f"{day}T00:00:00",
            "ends_at": f"{day}T23:59:00",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    starts = datetime.fromisoformat(response.json()["starts_at"])
    assert starts == datetime.combine(day, time(0), tzinfo=tz)


def test_deleting_a_dish_a_promotion_names_updates_the_cached_promotions(
    tenant_a: TenantHandle,
) -> None:
    from django_tenants.utils import schema_context

    from tests.tenant_apps.orders.factories import make_menu_item

    owner = client_as(tenant_a, "owner")
    with schema_context(tenant_a.schema_name):
        item = make_menu_item()
    owner.post(
        "/api/v1/promotions/",
        {"name": {"es": "Tacos"}, "kind": "percent", "value": "10", "item_ids": [item.pk]},
        format="json",
    )
    assert owner.get("/api/v1/promotions/").json()["results"][0]["item_ids"] == [item.pk]

    assert owner.delete(f"/api/v1/menu/items/{item.pk}/").status_code == 204

    assert owner.get("/api/v1/promotions/").json()["results"][0]["item_ids"] == []
