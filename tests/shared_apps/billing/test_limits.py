"""Plan limits where they bite: staff seats, menu items, features, and the monthly
assistant conversations (beyond a hard cap, new conversations go to staff politely)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from core.db import use_public_schema, use_tenant
from shared_apps.accounts.models import User
from shared_apps.billing.limits import PLAN_LIMIT_TYPE, usage_window_start
from shared_apps.billing.models import Plan
from tenant_apps.conversations.models import Conversation, Message
from tenant_apps.conversations.selectors import conversation_quota_reached
from tenant_apps.menu.models import MenuItem
from tests.shared_apps.billing.conftest import subscribe
from tests.tenant_apps.menu.factories import make_category
from tests.tenant_apps.menu.test_api import item_payload
from tests.tenant_apps.messaging.whatsapp.test_config_api import TWILIO
from tests.tenant_apps.staff.factories import client_as, make_staff
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttles() -> None:
    cache.clear()


def _tiny_plan(**limits: Any) -> Plan:
    values: dict[str, Any] = {
        "code": "tiny",
        "name_es": "Mínimo",
        "name_en": "Tiny",
        "monthly_price": Decimal("5.00"),
        **limits,
    }
    plan: Plan = Plan.objects.create(**values)
    return plan


def _assert_plan_limit(response: Any, limit: str) -> dict[str, Any]:
    assert response.status_code == 402, response.content
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["type"].endswith("/plan-limit")
    assert body["type"] == PLAN_LIMIT_TYPE
    assert body["limit"] == limit
    return body


def _active_staff(tenant: TenantHandle) -> int:
    use_tenant(tenant.restaurant)
    count = User.objects.filter(is_active=True).count()
    use_public_schema()
    return count


def test_adding_staff_beyond_the_plans_seats_is_a_plan_limit_problem(
    tenant_a: TenantHandle, plans: dict[str, Plan]
) -> None:
    owner = client_as(tenant_a, "owner")
    seats = _active_staff(tenant_a) + 1
    subscribe(tenant_a.restaurant, _tiny_plan(staff_seats=seats))
    make_staff(tenant_a, "staff")  # takes the last seat

    response = owner.post(
        "/api/v1/staff/", {"email": "one-more@alpha.example", "role": "staff"}, format="json"
    )

    body = _assert_plan_limit(response, "staff_seats")
    assert (body["plan"], body["allowed"], body["in_use"]) == ("tiny", seats, seats)
    assert _active_staff(tenant_a) == seats


def test_reactivating_an_account_needs_a_free_seat(
    tenant_a: TenantHandle, plans: dict[str, Plan]
) -> None:
    owner = client_as(tenant_a, "owner")
    waiter = make_staff(tenant_a, "staff")
    owner.patch(f"/api/v1/staff/{waiter.pk}/", {"is_active": False}, format="json")
    subscribe(tenant_a.restaurant, _tiny_plan(staff_seats=_active_staff(tenant_a)))

    response = owner.patch(f"/api/v1/staff/{waiter.pk}/", {"is_active": True}, format="json")

    _assert_plan_limit(response, "staff_seats")


def test_adding_menu_items_beyond_the_plan_is_a_plan_limit_problem(
    tenant_a: TenantHandle, plans: dict[str, Plan]
) -> None:
    owner = client_as(tenant_a, "owner")
    use_tenant(tenant_a.restaurant)
    category = make_category()
    items = MenuItem.objects.count()
    use_public_schema()
    subscribe(tenant_a.restaurant, _tiny_plan(menu_items=items + 1))

    first = owner.post("/api/v1/menu/items/", item_payload(category.pk), format="json")
    second = owner.post("/api/v1/menu/items/", item_payload(category.pk), format="json")

    assert first.status_code == 201, first.content
    body = _assert_plan_limit(second, "menu_items")
    assert body["allowed"] == items + 1
    use_tenant(tenant_a.restaurant)
    assert MenuItem.objects.count() == items + 1


def test_a_language_model_is_refused_when_the_plan_does_not_include_it(
    tenant_a: TenantHandle, plans: dict[str, Plan]
) -> None:
    owner = client_as(tenant_a, "owner")
    model = {"provider": "ollama", "base_url": "http://ollama:11434", "model": "phi3:mini"}
    subscribe(tenant_a.restaurant, plans["starter"])

    refused = owner.patch("/api/v1/assistant/settings/", model, format="json")
    subscribe(tenant_a.restaurant, plans["pro"])
    allowed = owner.patch("/api/v1/assistant/settings/", model, format="json")

    _assert_plan_limit(refused, "llm")
    assert allowed.status_code == 200, allowed.content


def test_whatsapp_is_refused_when_the_plan_does_not_include_it(
    tenant_a: TenantHandle, plans: dict[str, Plan]
) -> None:
    owner = client_as(tenant_a, "owner")
    subscribe(tenant_a.restaurant, plans["starter"])

    response = owner.put("/api/v1/channels/whatsapp/", TWILIO, format="json")

    _assert_plan_limit(response, "whatsapp")
    assert owner.get("/api/v1/channels/whatsapp/").json()["configured"] is False


def _conversations_this_period(tenant: TenantHandle) -> int:
    use_tenant(tenant.restaurant)
    since = usage_window_start(timezone.now())
    count = Conversation.objects.filter(created__gte=since).count()
    use_public_schema()
    return count


def _chat(host: str, text: str) -> int:
    """A visitor starts a web chat and writes `text`; returns the conversation id."""
    visitor = APIClient(HTTP_HOST=host)
    session = visitor.post("/api/v1/chat/sessions/", {"language": "en"}, format="json")
    assert session.status_code == 201, session.content
    visitor.credentials(HTTP_AUTHORIZATION=f"Bearer {session.json()['token']}")
    posted = visitor.post("/api/v1/chat/messages/", {"text": text}, format="json")
    assert posted.status_code in (200, 201), posted.content
    return int(session.json()["conversation"])


def test_beyond_the_monthly_quota_new_conversations_go_to_staff_politely(
    tenant_a: TenantHandle, plans: dict[str, Plan]
) -> None:
    quota = _conversations_this_period(tenant_a) + 1
    subscribe(tenant_a.restaurant, _tiny_plan(conversations_per_month=quota), start=timezone.now())

    within = _chat(tenant_a.host, "hola, ¿qué tenéis?")
    # What a waiting customer says to get the assistant back: not beyond the quota.
    beyond = _chat(tenant_a.host, "never mind, I'll keep ordering with you")

    use_tenant(tenant_a.restaurant)
    assert Conversation.objects.get(pk=within).status == Conversation.Status.BOT
    handed = Conversation.objects.get(pk=beyond)
    assert handed.status == Conversation.Status.WAITING
    sent = list(handed.messages.filter(direction=Message.Direction.OUTBOUND))
    assert [m.sender for m in sent] == [Message.Sender.SYSTEM]
    assert "member of our team" in sent[0].text
    use_public_schema()
    owner = client_as(tenant_a, "owner")
    overview = owner.get("/api/v1/billing/").json()
    assert overview["conversations_handed_to_staff"] is True
    assert overview["limits"]["conversations_per_month"] == {
        "used": quota + 1,
        "limit": quota,
        "reached": True,
    }


def test_a_plan_that_bills_extra_conversations_keeps_the_assistant_answering(
    tenant_a: TenantHandle, plans: dict[str, Plan]
) -> None:
    quota = _conversations_this_period(tenant_a)
    plan = _tiny_plan(conversations_per_month=quota, conversation_overage_price=Decimal("0.10"))
    subscribe(tenant_a.restaurant, plan, start=timezone.now())

    beyond = _chat(tenant_a.host, "hola")

    use_tenant(tenant_a.restaurant)
    assert Conversation.objects.get(pk=beyond).status == Conversation.Status.BOT


def test_the_staff_banner_shows_once_the_quota_is_used_up(
    tenant_a: TenantHandle, plans: dict[str, Plan]
) -> None:
    quota = _conversations_this_period(tenant_a) + 1
    subscribe(tenant_a.restaurant, _tiny_plan(conversations_per_month=quota), start=timezone.now())
    use_tenant(tenant_a.restaurant)
    before = conversation_quota_reached()
    use_public_schema()

    _chat(tenant_a.host, "hola")

    use_tenant(tenant_a.restaurant)
    assert (before, conversation_quota_reached()) == (False, True)
