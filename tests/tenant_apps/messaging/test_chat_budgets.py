"""One IP could exhaust the shared web workers and a restaurant's model bill (finding 2 of the
outside review): message budgets per IP and per restaurant, and a cap on model calls in
flight per restaurant and in all."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from tenant_apps.assistant.llm.inflight import model_slot
from tenant_apps.assistant.models import ModelCall
from tests.tenant_apps.assistant.fake_llm import FakeModelServer, fake_model_server
from tests.tenant_apps.assistant.test_llm_turns import ollama_json, use_ollama
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db


def _rates(**changes: str) -> Any:
    rest = dict(settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_RATES"] = {**rest["DEFAULT_THROTTLE_RATES"], **changes}
    return override_settings(REST_FRAMEWORK=rest)


def _conversation(tenant: TenantHandle, ip: str) -> APIClient:
    client = APIClient(HTTP_HOST=tenant.host, REMOTE_ADDR=ip)
    token = client.post("/api/v1/chat/sessions/", {}, format="json").json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def _send(client: APIClient) -> int:
    return client.post("/api/v1/chat/messages/", {"text": "hola"}, format="json").status_code


def test_one_ip_cannot_dodge_the_limit_with_new_conversations(tenant_a: TenantHandle) -> None:
    with _rates(chat_ip="3/min"):
        first, second = (
            _conversation(tenant_a, "198.51.100.4"),
            _conversation(tenant_a, "198.51.100.4"),
        )
        codes = [_send(first), _send(first), _send(second), _send(second)]
        other_ip = _send(_conversation(tenant_a, "198.51.100.5"))

    assert codes == [201, 201, 201, 429]
    assert other_ip == 201


def test_all_visitors_of_a_restaurant_share_its_budget(
    tenant_a: TenantHandle, tenant_b: TenantHandle
) -> None:
    with _rates(chat_restaurant="3/min"):
        codes = [_send(_conversation(tenant_a, f"198.51.100.{n}")) for n in range(10, 14)]
        elsewhere = _send(_conversation(tenant_b, "198.51.100.20"))

    assert codes == [201, 201, 201, 429]
    assert elsewhere == 201


@pytest.fixture
def server() -> Iterator[FakeModelServer]:
    with fake_model_server() as running:
        yield running


@pytest.mark.parametrize("case", [(1, 16, "same"), (16, 1, "other")], ids=["restaurant", "all"])
def test_model_calls_in_flight_are_capped_per_restaurant_and_in_all(
    tenant_a: TenantHandle,
    tenant_b: TenantHandle,
    server: FakeModelServer,
    case: tuple[int, int, str],
) -> None:
    per_restaurant, total, held_in = case
    use_ollama(tenant_a, server)
    server.script(ollama_json("smalltalk", "¡Hola!"))
    holder = tenant_a if held_in == "same" else tenant_b
    with (
        override_settings(
            DYSA_LLM_INFLIGHT_PER_RESTAURANT=per_restaurant, DYSA_LLM_INFLIGHT_TOTAL=total
        ),
        schema_context(holder.schema_name),
        model_slot() as held,  # a slow model call still running
    ):
        assert held
        code = _send(_conversation(tenant_a, "198.51.100.30"))

    assert code == 201  # the rules engine answered at once
    assert server.requests == []
    with schema_context(tenant_a.schema_name):
        assert ModelCall.objects.order_by("-id").values_list("outcome", flat=True)[0] == "skipped"


def test_a_slot_is_given_back_after_the_call(tenant_a: TenantHandle) -> None:
    with (
        override_settings(DYSA_LLM_INFLIGHT_PER_RESTAURANT=1),
        schema_context(tenant_a.schema_name),
    ):
        with model_slot() as first:
            assert first
            with model_slot() as second:
                assert not second
        with model_slot() as again:
            assert again
