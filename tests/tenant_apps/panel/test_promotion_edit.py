"""Editing a promotion's terms, limits and scope through promotion_update."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from tenant_apps.promotions.models import Promotion
from tenant_apps.promotions.services import promotion_create
from tests.actors import TEST_ACTOR
from tests.tenant_apps.menu.factories import make_category, make_item
from tests.tenant_apps.panel.conftest import panel_client
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db

FORM = {"name_es": "Martes", "kind": "percent", "value": "10", "min_order_total": "0"}


def _promotion(handle: TenantHandle) -> Promotion:
    with schema_context(handle.schema_name):
        return promotion_create(
            actor=TEST_ACTOR, name={"es": "Martes"}, kind="percent", value=Decimal("10")
        )


def test_a_manager_limits_a_promotion_to_a_category_and_an_item(tenant_a: TenantHandle) -> None:
    promotion = _promotion(tenant_a)
    with schema_context(tenant_a.schema_name):
        category = make_category("Postres", "Desserts")
        item = make_item(category, "Flan", "Flan")
    client, _ = panel_client(tenant_a, "manager")
    assert f"/panel/promotions/{promotion.pk}/" in client.get("/panel/promotions/").text
    form = client.get(f"/panel/promotions/{promotion.pk}/")
    assert form.status_code == 200
    assert "Postres" in form.text
    changes = {
        **FORM,
        "max_redemptions": "50",
        "max_redemptions_per_customer": "1",
        "category_ids": [str(category.pk)],
        "item_ids": [str(item.pk)],
    }
    assert client.post(f"/panel/promotions/{promotion.pk}/", changes).status_code == 302
    with schema_context(tenant_a.schema_name):
        promotion.refresh_from_db()
        assert promotion.max_redemptions == 50
        assert promotion.max_redemptions_per_customer == 1
        assert list(promotion.categories.values_list("pk", flat=True)) == [category.pk]
        assert list(promotion.items.values_list("pk", flat=True)) == [item.pk]


def test_a_bad_edit_is_named_next_to_the_field_and_nothing_changes(
    tenant_a: TenantHandle,
) -> None:
    promotion = _promotion(tenant_a)
    client, _ = panel_client(tenant_a, "manager")
    bad = client.post(f"/panel/promotions/{promotion.pk}/", {**FORM, "value": "150"})
    assert bad.status_code == 400
    assert 'id="id_value_error"' in bad.text
    with schema_context(tenant_a.schema_name):
        promotion.refresh_from_db()
    assert promotion.value == Decimal("10")


def test_staff_cannot_edit_a_promotion(tenant_a: TenantHandle) -> None:
    promotion = _promotion(tenant_a)
    client, _ = panel_client(tenant_a, "staff")
    assert f"/panel/promotions/{promotion.pk}/" not in client.get("/panel/promotions/").text
    assert client.get(f"/panel/promotions/{promotion.pk}/").status_code == 403
    refused = client.post(f"/panel/promotions/{promotion.pk}/", {**FORM, "value": "50"})
    assert refused.status_code == 403
    with schema_context(tenant_a.schema_name):
        promotion.refresh_from_db()
    assert promotion.value == Decimal("10")
