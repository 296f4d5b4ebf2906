"""The orders board: columns by status, the cheap poll, advance and cancel through the API's
service and permissions."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from tenant_apps.audit.models import AuditEntry
from tenant_apps.orders.models import Order
from tests.tenant_apps.orders.factories import make_order
from tests.tenant_apps.panel.conftest import panel_client
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db


def _order(handle: TenantHandle) -> Order:
    with schema_context(handle.schema_name):
        return make_order()


def test_the_board_shows_a_new_order_in_the_new_column(tenant_a: TenantHandle) -> None:
    order = _order(tenant_a)
    client, _ = panel_client(tenant_a, "staff")
    page = client.get("/panel/orders/")
    assert page.status_code == 200
    column = page.text.split('id="col-pending"')[1].split("</section>")[0]
    assert f'data-order="{order.number}"' in column
    assert 'data-live-count="1"' in page.text


def test_the_poll_is_empty_until_an_order_changes(tenant_a: TenantHandle) -> None:
    client, _ = panel_client(tenant_a, "staff")
    board = client.get("/panel/orders/board/", HTTP_HX_REQUEST="true")
    found = re.search(r'hx-get="(/panel/orders/board/\?v=[0-9a-f]+&amp;t=[^"]+)"', board.text)
    assert found is not None
    poll = found.group(1).replace("&amp;", "&")
    assert client.get(poll).status_code == 204
    order = _order(tenant_a)
    changed = client.get(poll)
    assert changed.status_code == 200
    assert f'data-order="{order.number}"' in changed.text
    assert "<html" not in changed.text


def test_one_click_advances_the_order_and_audits_it(tenant_a: TenantHandle) -> None:
    order = _order(tenant_a)
    client, user = panel_client(tenant_a, "staff")
    response = client.post(f"/panel/orders/{order.pk}/advance/", {"to_status": "confirmed"})
    assert response.status_code == 302
    with schema_context(tenant_a.schema_name):
        order.refresh_from_db()
        entry = AuditEntry.objects.filter(action="orders.order.status").latest("id")
    assert order.status == "confirmed"
    assert entry.actor_id == user.pk


def test_cancelling_without_a_reason_asks_for_one_and_keeps_the_order(
    tenant_a: TenantHandle,
) -> None:
    order = _order(tenant_a)
    client, _ = panel_client(tenant_a, "staff")
    response = client.post(f"/panel/orders/{order.pk}/cancel/", {"reason": "  "})
    assert response.status_code == 400
    assert 'class="field-error"' in response.text
    done = client.post(f"/panel/orders/{order.pk}/cancel/", {"reason": "Sin existencias"})
    assert done.status_code == 302
    with schema_context(tenant_a.schema_name):
        order.refresh_from_db()
    assert (order.status, order.cancel_reason) == ("cancelled", "Sin existencias")


def test_a_viewer_sees_no_buttons_and_a_forged_post_is_refused(tenant_a: TenantHandle) -> None:
    order = _order(tenant_a)
    client, _ = panel_client(tenant_a, "viewer")
    page = client.get("/panel/orders/")
    assert f'data-order="{order.number}"' in page.text
    assert "/advance/" not in page.text
    assert "#cancel" not in page.text
    assert (
        client.post(f"/panel/orders/{order.pk}/advance/", {"to_status": "confirmed"}).status_code
        == 403
    )
    assert client.post(f"/panel/orders/{order.pk}/cancel/", {"reason": "x"}).status_code == 403
    with schema_context(tenant_a.schema_name):
        order.refresh_from_db()
    assert order.status == "pending"


def test_another_restaurants_order_is_not_found(
    tenant_a: TenantHandle, tenant_b: TenantHandle
) -> None:
    order = _order(tenant_b)
    with schema_context(tenant_a.schema_name):
        Order.objects.filter(pk=order.pk).delete()
    client, _ = panel_client(tenant_a, "owner")
    assert client.get(f"/panel/orders/{order.pk}/").status_code == 404
    assert (
        client.post(f"/panel/orders/{order.pk}/advance/", {"to_status": "confirmed"}).status_code
        == 404
    )


def test_the_detail_and_the_kitchen_ticket_list_the_lines(tenant_a: TenantHandle) -> None:
    order = _order(tenant_a)
    client, _ = panel_client(tenant_a, "staff")
    for path in (f"/panel/orders/{order.pk}/", f"/panel/orders/{order.pk}/ticket/"):
        page = client.get(path)
        assert page.status_code == 200
        assert "Tacos al pastor" in page.text


def test_the_board_reads_as_many_queries_for_many_orders_as_for_one(
    tenant_a: TenantHandle,
) -> None:
    _order(tenant_a)
    client, _ = panel_client(tenant_a, "staff")
    client.get("/panel/orders/")
    with CaptureQueriesContext(connection) as one:
        client.get("/panel/orders/")
    for _ in range(4):
        _order(tenant_a)
    with CaptureQueriesContext(connection) as five:
        page = client.get("/panel/orders/")

    assert page.text.count('class="card"') == 5
    assert len(five.captured_queries) == len(one.captured_queries)
