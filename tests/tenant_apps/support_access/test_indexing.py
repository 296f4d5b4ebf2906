"""The support search index: fed per restaurant, labelled by the restaurant it came from."""

from __future__ import annotations

import pytest

from core.db import use_public_schema, use_tenant
from shared_apps.support.models import SearchEntry
from shared_apps.support.selectors import support_search
from tenant_apps.conversations.services import conversation_start, message_receive
from tenant_apps.customers.models import Customer
from tenant_apps.support_access.indexing import support_index_sync
from tests.tenant_apps.customers.factories import make_customer
from tests.tenant_apps.orders.factories import make_order
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db

PHONE = "+34611222333"


def _seed(tenant: TenantHandle, name: str) -> dict[str, int]:
    use_tenant(tenant.restaurant)
    customer = make_customer(name, phone=PHONE)
    Customer.objects.filter(pk=customer.pk).update(email=f"{name.lower()}@example.com")
    order = make_order(customer=customer)
    conversation = conversation_start(channel="web")
    message_receive(conversation=conversation, text=f"Quiero la paella de {name} sin gluten")
    use_public_schema()
    support_index_sync(restaurant=tenant.restaurant)
    return {"customer": customer.pk, "order": order.pk, "conversation": conversation.pk}


def test_a_phone_in_two_restaurants_finds_both_each_with_its_own_label(
    tenant_a: TenantHandle, tenant_b: TenantHandle
) -> None:
    ids_a = _seed(tenant_a, "Lucía")
    ids_b = _seed(tenant_b, "Mark")

    for query in (PHONE, "611 222 333", "+34 611-222-333"):
        found = {(r.restaurant, r.kind, r.id) for r in support_search(q=query)}
        assert found == {
            ("alpha", "customer", ids_a["customer"]),
            ("bravo", "customer", ids_b["customer"]),
        }
    labelled = {r.restaurant: r.summary for r in support_search(q=PHONE)}
    assert labelled["alpha"].startswith("Lucía")
    assert labelled["bravo"].startswith("Mark")
    assert PHONE not in labelled["alpha"]  # the summary masks the phone


def test_email_order_number_and_conversation_words_are_found(
    tenant_a: TenantHandle, tenant_b: TenantHandle
) -> None:
    ids_a = _seed(tenant_a, "Lucía")
    _seed(tenant_b, "Mark")

    assert [(r.restaurant, r.kind) for r in support_search(q="LUCÍA@example.com")] == [
        ("alpha", "customer")
    ]
    conversations = support_search(q="paella lucia")
    assert [(r.restaurant, r.kind, r.id) for r in conversations] == [
        ("alpha", "conversation", ids_a["conversation"])
    ]
    assert {r.restaurant for r in support_search(q="sin gluten")} == {"alpha", "bravo"}
    use_tenant(tenant_a.restaurant)
    from tenant_apps.orders.models import Order

    number = Order.objects.get(pk=ids_a["order"]).number
    use_public_schema()
    assert ("alpha", "order", ids_a["order"]) in {
        (r.restaurant, r.kind, r.id) for r in support_search(q=f"#{number}")
    }


def test_no_conversation_text_is_stored_and_deleted_records_leave_the_index(
    tenant_a: TenantHandle,
) -> None:
    ids = _seed(tenant_a, "Lucía")
    assert not SearchEntry.objects.filter(summary__icontains="paella").exists()

    use_tenant(tenant_a.restaurant)
    from tenant_apps.orders.models import Order

    Order.objects.filter(pk=ids["order"]).delete()
    use_public_schema()
    support_index_sync(restaurant=tenant_a.restaurant)
    assert not SearchEntry.objects.filter(kind="order", object_id=ids["order"]).exists()
    assert SearchEntry.objects.filter(kind="customer", object_id=ids["customer"]).exists()


def test_a_rebuild_gives_the_same_rows(tenant_a: TenantHandle) -> None:
    _seed(tenant_a, "Lucía")
    before = set(SearchEntry.objects.values_list("kind", "object_id", "summary"))
    support_index_sync(restaurant=tenant_a.restaurant, rebuild=True)
    assert set(SearchEntry.objects.values_list("kind", "object_id", "summary")) == before


def test_the_support_index_command_rebuilds_one_restaurant(tenant_a: TenantHandle) -> None:
    import io
    import json

    from django.core.management import call_command

    ids = _seed(tenant_a, "Lucía")
    SearchEntry.objects.all().delete()
    out = io.StringIO()
    call_command("support_index", "alpha", "--rebuild", "--json", stdout=out, stderr=io.StringIO())

    assert json.loads(out.getvalue())[0]["slug"] == "alpha"
    assert SearchEntry.objects.filter(kind="customer", object_id=ids["customer"]).exists()
