"""The dashboard shows what the role may see: today's orders and sales, who is waiting."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from tenant_apps.conversations.services import (
    conversation_request_human,
    conversation_start,
    message_receive,
)
from tests.tenant_apps.orders.factories import make_order
from tests.tenant_apps.panel.conftest import panel_client
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db


def test_the_dashboard_counts_todays_orders_and_lists_who_waits(tenant_a: TenantHandle) -> None:
    with schema_context(tenant_a.schema_name):
        order = make_order()
        conversation = conversation_start(channel="web")
        message_receive(conversation=conversation, text="ayuda")
        conversation_request_human(conversation=conversation)
    client, _ = panel_client(tenant_a, "staff")
    page = client.get("/panel/")
    assert page.status_code == 200
    assert f"/panel/conversations/{conversation.pk}/" in page.text
    assert str(order.total).replace(".", ",") in page.text
    assert 'id="sales-data"' in page.text
