"""Menu API: public menu and search, staff CRUD, validation, roles, cache invalidation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from core.hotpath.state import hot_path
from tenant_apps.audit.models import AuditEntry
from tenant_apps.menu.models import MenuItem
from tests.tenant_apps.audit.entries import audit_entry
from tests.tenant_apps.menu.factories import make_category, make_item
from tests.tenant_apps.staff.factories import client_as
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db


def item_payload(category_id: int, **overrides: object) -> dict[str, object]:
    payload: dict[str, object] = {
        "category": category_id,
        "name": {"es": "Tacos de pollo", "en": "Chicken tacos"},
        "price": "8.90",
        "allergens": ["gluten"],
        "dietary_tags": [],
        "option_groups": [
            {
                "name": {"es": "Tamaño", "en": "Size"},
                "min_selections": 1,
                "max_selections": 1,
                "options": [
                    {"name": {"es": "Normal"}, "is_default": True},
                    {"name": {"es": "Grande"}, "price_delta": "2.00"},
                ],
            },
        ],
    }
    payload.update(overrides)
    return payload


def test_public_menu_lists_visible_categories_in_the_requested_language(
    tenant_a: TenantHandle, client_a: APIClient
) -> None:
    with schema_context(tenant_a.schema_name):
        tacos = make_category("Tacos", "Tacos")
        make_item(tacos, "Tacos al pastor", "Al pastor tacos", with_options=True)
        make_category("Oculta", "Hidden", visible=False)

    response = client_a.get("/api/v1/menu/?lang=en")

    assert response.status_code == 200
    body = response.json()
    assert body["language"] == "en"
    assert [c["name"] for c in body["categories"]] == ["Tacos"]
    item = body["categories"][0]["items"][0]
    assert item["name"] == "Al pastor tacos"
    assert item["price"] == "9.50"
    assert item["option_groups"][0]["name"] == "Size"


def test_public_search_tolerates_accents(tenant_a: TenantHandle, client_a: APIClient) -> None:
    with schema_context(tenant_a.schema_name):
        make_item(make_category(), "Nachos con jalapeño", "Jalapeño nachos")

    response = client_a.get("/api/v1/menu/search/?q=jalapeno&lang=es")

    assert response.status_code == 200
    assert response.json()["results"][0]["name"]["es"] == "Nachos con jalapeño"


def test_manager_creates_an_item_with_options_and_the_write_is_audited(
    tenant_a: TenantHandle,
) -> None:
    client = client_as(tenant_a, "manager")
    with schema_context(tenant_a.schema_name):
        category = make_category()

    response = client.post("/api/v1/menu/items/", item_payload(category.pk), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["option_groups"][0]["required"] is True
    assert len(body["option_groups"][0]["options"]) == 2
    with schema_context(tenant_a.schema_name):
        entry = AuditEntry.objects.get(action="menu.item.create")
        assert entry.target_id == str(body["id"])
        assert entry.actor_label == client.user.email  # type: ignore[attr-defined]
        assert isinstance(entry.after, dict)
        assert entry.after["price"] == "8.90"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"price": "-1.00"}, "price"),
        ({"price": "1.999"}, "price"),
        ({"price": "abc"}, "price"),
        ({"allergens": ["plutonium"]}, "allergens"),
        ({"name": {"fr": "Tacos"}}, "name"),
        ({"colour": "red"}, "colour"),
        ({"category": 999999}, "category"),
        ({"image_url": 42}, "image_url"),
    ],
)
def test_bad_item_input_is_a_400_naming_the_field(
    tenant_a: TenantHandle, overrides: dict[str, object], field: str
) -> None:
    client = client_as(tenant_a, "owner")
    with schema_context(tenant_a.schema_name):
        category = make_category()

    response = client.post(
        "/api/v1/menu/items/", item_payload(category.pk, **overrides), format="json"
    )

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert field in response.json()["errors"]
    with schema_context(tenant_a.schema_name):
        assert not MenuItem.objects.exists()


def test_a_category_id_with_a_fraction_is_a_400_not_rounded_down(tenant_a: TenantHandle) -> None:
    client = client_as(tenant_a, "owner")
    with schema_context(tenant_a.schema_name):
        category = make_category()

    response = client.post(
        "/api/v1/menu/items/", item_payload(category.pk, category=category.pk + 0.5), format="json"
    )

    assert response.status_code == 400
    assert "category" in response.json()["errors"]


def test_malformed_json_is_a_400_problem(tenant_a: TenantHandle) -> None:
    client = client_as(tenant_a, "owner")

    response = client.post(
        "/api/v1/menu/categories/", data="{not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["status"] == 400
    assert response.json()["errors"]["non_field_errors"][0].startswith("JSON parse error")


def test_staff_may_mark_sold_out_but_not_edit_prices(tenant_a: TenantHandle) -> None:
    client = client_as(tenant_a, "staff")
    with schema_context(tenant_a.schema_name):
        item = make_item(make_category())

    sold_out = client.post(
        f"/api/v1/menu/items/{item.pk}/availability/", {"out_of_stock": True}, format="json"
    )
    reprice = client.patch(f"/api/v1/menu/items/{item.pk}/", {"price": "1.00"}, format="json")

    assert sold_out.status_code == 200
    assert sold_out.json()["is_orderable"] is False
    assert reprice.status_code == 403
    with schema_context(tenant_a.schema_name):
        assert MenuItem.objects.get(pk=item.pk).price == Decimal("9.50")


def test_editing_a_category_audits_it_before_and_after(tenant_a: TenantHandle) -> None:
    manager = client_as(tenant_a, "manager")
    with schema_context(tenant_a.schema_name):
        category = make_category("Tacos", "Tacos")

    response = manager.patch(
        f"/api/v1/menu/categories/{category.pk}/", {"name": {"es": "Tortas"}}, format="json"
    )

    assert response.status_code == 200
    entry = audit_entry(tenant_a, "menu.category.update")
    assert (entry.target_type, entry.target_id) == ("menu.category", str(category.pk))
    assert entry.summary == "Tortas"
    assert (entry.before, entry.after) == (
        {"name": {"es": "Tacos", "en": "Tacos"}},
        {"name": response.json()["name"]},
    )


def test_editing_an_item_audits_it_with_the_option_groups_it_ends_up_with(
    tenant_a: TenantHandle,
) -> None:
    manager = client_as(tenant_a, "manager")
    with schema_context(tenant_a.schema_name):
        item = make_item(make_category(), with_options=True)

    response = manager.patch(
        f"/api/v1/menu/items/{item.pk}/", {"price": "10.00", "option_groups": []}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["option_groups"] == []
    entry = audit_entry(tenant_a, "menu.item.update")
    assert (entry.target_type, entry.target_id) == ("menu.menuitem", str(item.pk))
    assert entry.summary == "Tacos al pastor"
    assert (entry.before["price"], len(entry.before["option_groups"])) == ("9.50", 2)
    assert entry.after == {"price": "10.00", "option_groups": []}


def test_anonymous_cannot_list_staff_menu_endpoints(client_a: APIClient) -> None:
    response = client_a.get("/api/v1/menu/items/")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_a_price_change_is_visible_at_once_in_the_cached_public_menu(
    tenant_a: TenantHandle, client_a: APIClient
) -> None:
    with schema_context(tenant_a.schema_name):
        item = make_item(make_category())
    assert client_a.get("/api/v1/menu/").json()["categories"][0]["items"][0]["price"] == "9.50"
    manager = client_as(tenant_a, "manager")

    manager.patch(f"/api/v1/menu/items/{item.pk}/", {"price": "10.50"}, format="json")

    assert client_a.get("/api/v1/menu/").json()["categories"][0]["items"][0]["price"] == "10.50"


def test_items_list_filters_orders_and_paginates(tenant_a: TenantHandle) -> None:
    client = client_as(tenant_a, "viewer")
    with schema_context(tenant_a.schema_name):
        category = make_category()
        make_item(category, "Ensalada", "Salad", price="7.00", dietary_tags=("vegan",))
        make_item(category, "Tacos", "Tacos", price="9.00")
        make_item(
            category, "Tarta", "Cake", price="5.00", dietary_tags=("vegan",), allergens=("gluten",)
        )

    vegan = client.get("/api/v1/menu/items/?dietary_tag=vegan&ordering=-price&page_size=1")
    gluten_free = client.get("/api/v1/menu/items/?allergen_free=gluten")
    bad_order = client.get("/api/v1/menu/items/?ordering=secret")
    bad_filter = client.get("/api/v1/menu/items/?min_price=cheap")

    assert vegan.status_code == 200
    assert vegan.json()["count"] == 2
    assert [r["price"] for r in vegan.json()["results"]] == ["7.00"]
    assert {r["name"]["en"] for r in gluten_free.json()["results"]} == {"Salad", "Tacos"}
    assert bad_order.status_code == 400
    assert bad_filter.status_code == 400
    assert "min_price" in bad_filter.json()["errors"]


def test_deleting_a_category_with_items_is_a_conflict(tenant_a: TenantHandle) -> None:
    client = client_as(tenant_a, "owner")
    with schema_context(tenant_a.schema_name):
        category = make_category()
        make_item(category)

    response = client.delete(f"/api/v1/menu/categories/{category.pk}/")

    assert response.status_code == 409


def test_public_menu_rejects_an_unknown_language(client_a: APIClient) -> None:
    response = client_a.get("/api/v1/menu/?lang=fr")

    assert response.status_code == 400
    assert "lang" in response.json()["errors"]


def test_an_unknown_language_fetches_nothing_with_the_throttle(client_a: APIClient) -> None:
    response = client_a.get("/api/v1/menu/?lang=fr")

    assert response.status_code == 400
    assert hot_path(response.wsgi_request).fetched is None
