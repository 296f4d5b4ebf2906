"""Full chat turns with a language model: a restaurant configured through the staff API to use
each provider, pointed at a local fake model server (real HTTP on loopback), and customers
talking through the public chat API.

The model only proposes: actions run through the same dialog manager and domain services,
prices and totals come from the database, and any failure of the model is answered by the
rules engine within the same turn.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from core.db import use_public_schema, use_tenant
from tenant_apps.assistant.engine import replies
from tenant_apps.assistant.llm import breaker
from tenant_apps.assistant.llm.proposal import TURN_SCHEMA
from tenant_apps.assistant.models import DialogState, ModelCall
from tenant_apps.conversations.models import Conversation
from tenant_apps.menu.models import MenuItem
from tenant_apps.orders.models import Order
from tenant_apps.reservations.models import Reservation
from tenant_apps.restaurant.selectors import restaurant_local_now
from tests.tenant_apps.assistant.fake_llm import (
    FakeModelServer,
    Reply,
    fake_model_server,
    ollama_message,
    openai_message,
)
from tests.tenant_apps.assistant.restaurant import seed_dialog_restaurant
from tests.tenant_apps.staff.factories import client_as
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db

SESSIONS = "/api/v1/chat/sessions/"
MESSAGES = "/api/v1/chat/messages/"
SETTINGS = "/api/v1/assistant/settings/"
TIMEOUT = 0.5


@pytest.fixture
def menu(tenant_a: TenantHandle, db: None) -> dict[str, MenuItem]:
    use_tenant(tenant_a.restaurant)
    items = seed_dialog_restaurant()
    use_public_schema()
    return items


@pytest.fixture
def server() -> Iterator[FakeModelServer]:
    with fake_model_server() as running:
        yield running


@dataclass
class Chat:
    client: APIClient
    conversation: int

    def say(self, text: str) -> list[str]:
        response = self.client.post(MESSAGES, {"text": text}, format="json")
        assert response.status_code == 201, response.content
        return [reply["text"] for reply in response.json()["replies"]]


def start_chat(tenant: TenantHandle, language: str = "es") -> Chat:
    client = APIClient(HTTP_HOST=tenant.host)
    body = client.post(SESSIONS, {"language": language}, format="json").json()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    return Chat(client=client, conversation=body["conversation"])


def configure(tenant: TenantHandle, **settings: Any) -> None:
    response = client_as(tenant, "owner").patch(
        SETTINGS, {"timeout_seconds": TIMEOUT, **settings}, format="json"
    )
    assert response.status_code == 200, response.content


def use_ollama(tenant: TenantHandle, server: FakeModelServer, **extra: Any) -> None:
    configure(
        tenant,
        provider="ollama",
        base_url=server.url,
        model="phi3:mini",
        **{"tool_mode": "json", **extra},
    )


def ollama_json(intent: str, reply: str = "", **entities: Any) -> Reply:
    return Reply(body=ollama_message(json.dumps({"intent": intent, "reply": reply, **entities})))


def openai_tool(tool: str, content: str | None = None, **arguments: Any) -> Reply:
    return Reply(body=openai_message(content, tool_calls=[{"name": tool, "arguments": arguments}]))


def use_openai(tenant: TenantHandle, server: FakeModelServer, **extra: Any) -> None:
    configure(
        tenant,
        provider="openai",
        base_url=server.url + "/v1",
        model="gpt-4o-mini",
        api_key="sk-test-e2e",
        **{"tool_mode": "tools", **extra},
    )


def outcomes(tenant: TenantHandle, conversation: int) -> list[str]:
    with schema_context(tenant.schema_name):
        calls = ModelCall.objects.filter(conversation_id=conversation).order_by("id")
        return [call.outcome for call in calls]


def cart(tenant: TenantHandle, conversation: int) -> list[tuple[int, int]]:
    with schema_context(tenant.schema_name):
        data = DialogState.objects.get(conversation_id=conversation).data
    return [(line["item_id"], line["quantity"]) for line in data.get("cart", [])]


def said(texts: list[str]) -> str:
    return "\n".join(texts)


PICKUP_TURNS = ["lo antes posible", "Ana", "612345678"]


# --- the model proposes, the engine acts with the database's prices --------------------------


def test_ollama_json_output_orders_with_database_prices_not_the_models(
    tenant_a: TenantHandle, menu: dict[str, MenuItem], server: FakeModelServer
) -> None:
    use_ollama(tenant_a, server)
    chat = start_chat(tenant_a)
    pastor = menu["pastor"].pk
    server.script(
        ollama_json(
            "add",
            "¡Listo! 2 tacos al pastor, son 5 €",
            items=[{"item_id": pastor, "quantity": 2}],
        ),
        ollama_json("checkout", "Perfecto, te lo preparo por 5 €", order_type="pickup"),
        ollama_json("unknown"),
        ollama_json("unknown", name="Ana"),
        ollama_json("unknown", phone="+34612345678"),
        ollama_json("yes", "Hecho, son 5 €"),
    )

    # "de los de cerdo con piña": the rules engine alone would not know which dish this is.
    added = chat.say("me pones dos de los de cerdo con piña")
    rest = [chat.say(text) for text in ["eso es todo, para recoger", *PICKUP_TURNS, "sí"]]

    assert cart(tenant_a, chat.conversation) == []  # the order was placed and the cart emptied
    assert "7,00 €" in said(added)
    transcript = said(added + [text for turn in rest for text in turn])
    assert "5 €" not in transcript
    assert "5,00" not in transcript
    assert "Total: 7,00 €" in said(rest[-1])
    with schema_context(tenant_a.schema_name):
        order = Order.objects.get()
        assert order.total == Decimal("7.00")
        assert [(line.item_id, line.quantity) for line in order.lines.all()] == [(pastor, 2)]
        assert order.order_type == "pickup"
        assert order.customer is not None
        assert order.customer.phone == "+34612345678"
    first = server.requests[0]
    assert first["path"] == "/api/chat"
    assert first["body"]["format"] == TURN_SCHEMA
    assert "tools" not in first["body"]
    system = first["body"]["messages"][0]["content"]
    assert f"id {pastor}: Tacos al pastor" in system
    assert "3.50" not in system
    assert "3,50" not in system
    assert outcomes(tenant_a, chat.conversation) == ["ok"] * 6


def test_openai_tools_book_a_table_through_the_reservation_service(
    tenant_a: TenantHandle, menu: dict[str, MenuItem], server: FakeModelServer
) -> None:
    use_openai(tenant_a, server)
    chat = start_chat(tenant_a, "en")
    with schema_context(tenant_a.schema_name):
        now = restaurant_local_now()
    tomorrow = (now + timedelta(days=1)).date()
    server.script(
        openai_tool(
            "book_table",
            "Done! Your table for 4 is booked, that's a $20 deposit.",
            party_size=4,
            date=tomorrow.isoformat(),
            time="21:00",
        ),
        openai_tool("give_contact", name="Sam"),
        openai_tool("give_contact", phone="+34611222333"),
        openai_tool("answer_yes", "Booked!"),
    )

    turns = [
        chat.say(text)
        for text in [
            "hey, four of us would love to come by tomorrow around nine",
            "Sam",
            "611 222 333",
            "yes please",
        ]
    ]

    transcript = said([text for turn in turns for text in turn])
    assert "$20" not in transcript
    assert "deposit" not in transcript
    with schema_context(tenant_a.schema_name):
        reservation = Reservation.objects.get()
        assert reservation.party_size == 4
        local = reservation.starts_at.astimezone(now.tzinfo)
        assert (local.date(), local.hour, local.minute) == (tomorrow, 21, 0)
        assert reservation.customer.name == "Sam"
    sent = server.requests[0]
    assert sent["path"] == "/v1/chat/completions"
    assert sent["authorization"] == "Bearer sk-test-e2e"  # the key set through the staff API
    assert {tool["function"]["name"] for tool in sent["body"]["tools"]} >= {"book_table"}
    assert outcomes(tenant_a, chat.conversation) == ["ok"] * 4


def test_openai_tools_add_items_with_options_priced_by_the_database(
    tenant_a: TenantHandle, menu: dict[str, MenuItem], server: FakeModelServer
) -> None:
    use_openai(tenant_a, server)
    chat = start_chat(tenant_a)
    coca = menu["coca"]
    grande = next(o for g in coca.option_groups.all() for o in g.options.all() if o.price_delta)
    server.script(
        openai_tool(
            "add_to_order",
            "Two large cokes, 2 € total!",
            items=[{"item_id": coca.pk, "quantity": 2, "option_ids": [grande.pk]}],
        )
    )

    added = chat.say("dos cocas de las grandes porfa")

    assert cart(tenant_a, chat.conversation) == [(coca.pk, 2)]
    assert "7,00 €" in said(added)  # (2.50 + 1.00 large) x 2
    assert "2 €" not in said(added)


def test_the_models_small_talk_is_used_but_never_a_price_it_made_up(
    tenant_a: TenantHandle, menu: dict[str, MenuItem], server: FakeModelServer
) -> None:
    use_ollama(tenant_a, server)
    chat = start_chat(tenant_a)
    server.script(
        ollama_json("smalltalk", "¡Qué bien! Me alegro mucho."),
        ollama_json("smalltalk", "¡Genial! Hoy los tacos están a 1 €, aprovecha."),
    )

    friendly = chat.say("hoy hace un día precioso eh")
    priced = chat.say("me encanta este sitio")

    assert friendly == ["¡Qué bien! Me alegro mucho."]
    assert "1 €" not in said(priced)
    assert "tacos" not in said(priced).lower()
    assert priced  # the rules engine's own answer instead


# --- what the model gets wrong, the engine refuses ------------------------------------------


def test_an_item_the_model_made_up_is_not_added(
    tenant_a: TenantHandle, menu: dict[str, MenuItem], server: FakeModelServer
) -> None:
    use_ollama(tenant_a, server)
    chat = start_chat(tenant_a)
    server.script(
        ollama_json(
            "add",
            "¡Añadido el especial del chef por 12 €!",
            items=[{"item_id": 999999, "quantity": 1}],
        )
    )

    answer = chat.say("quiero el especial del chef")

    assert cart(tenant_a, chat.conversation) == []
    assert "Añadido" not in said(answer)
    assert "12" not in said(answer)
    assert said(answer) == replies.say("not_on_menu", "es")


@pytest.mark.parametrize(
    "broken",
    [
        lambda pastor: ollama_json("launch_rockets", "¡Despegamos!"),
        lambda pastor: ollama_json("add", "Vale", items=[{"item_id": "pastor", "quantity": 2}]),
        lambda pastor: ollama_json("add", "Vale", items=[{"item_id": pastor, "quantity": 0}]),
        lambda pastor: ollama_json("add", "Vale", items=[{"item_id": pastor, "quantity": -3}]),
        lambda pastor: Reply(body=ollama_message('["add", 2]')),
        lambda pastor: Reply(body={"message": {"content": "", "tool_calls": 5}, "done": True}),
        lambda pastor: Reply(body={"message": "hola", "done": True}),
        lambda pastor: Reply(
            body={"message": {"content": "{}"}, "done": True, "prompt_eval_count": "many"}
        ),
    ],
)
def test_an_invalid_proposal_falls_back_to_the_rules(
    tenant_a: TenantHandle,
    menu: dict[str, MenuItem],
    server: FakeModelServer,
    broken: Callable[[int], Reply],
) -> None:
    use_ollama(tenant_a, server)
    chat = start_chat(tenant_a)
    server.script(broken(menu["pastor"].pk))

    answer = chat.say("quiero 2 tacos al pastor")

    # The rules engine read the message itself: the right dish, the database's price.
    assert cart(tenant_a, chat.conversation) == [(menu["pastor"].pk, 2)]
    assert "7,00 €" in said(answer)


def test_openai_answers_of_unexpected_shapes_fall_back_to_the_rules(
    tenant_a: TenantHandle, menu: dict[str, MenuItem], server: FakeModelServer
) -> None:
    use_openai(tenant_a, server)
    chat = start_chat(tenant_a)
    server.script(
        Reply(body={"choices": [1]}),
        Reply(body={"choices": [{"message": {"tool_calls": [{"function": {"arguments": "{"}}]}}]}),
        Reply(body={"choices": [{"message": None}], "usage": "lots"}),
    )

    answers = [chat.say("una cerveza") for _ in range(3)]

    assert all("Añadido: 1x Cerveza" in said(answer) for answer in answers)
    assert outcomes(tenant_a, chat.conversation) == ["error", "invalid", "error"]


def test_the_models_yes_cannot_confirm_an_order_the_customer_declined(
    tenant_a: TenantHandle, menu: dict[str, MenuItem], server: FakeModelServer
) -> None:
    use_openai(tenant_a, server)
    chat = start_chat(tenant_a)
    server.script(
        openai_tool("add_to_order", items=[{"item_id": menu["cerveza"].pk, "quantity": 2}]),
        openai_tool("checkout", order_type="pickup"),
        *[Reply(body=openai_message("Vale")) for _ in PICKUP_TURNS],
        openai_tool("answer_yes", "¡Pedido confirmado!"),
    )
    for text in ["2 cervezas", "eso es todo, para recoger", *PICKUP_TURNS]:
        chat.say(text)

    answer = chat.say("no, espera")

    assert said(answer) == replies.say("what_to_change", "es")
    with schema_context(tenant_a.schema_name):
        assert not Order.objects.exists()


def test_a_customers_yes_still_confirms_when_the_model_says_nothing_useful(
    tenant_a: TenantHandle, menu: dict[str, MenuItem], server: FakeModelServer
) -> None:
    use_openai(tenant_a, server)
    chat = start_chat(tenant_a)
    server.script(
        *[Reply(body=openai_message("Vale")) for _ in range(5)],
        Reply(body=openai_message("¡Genial, gracias!")),  # no tool call for "sí"
    )
    for text in ["2 cervezas", "eso es todo, para recoger", *PICKUP_TURNS]:
        chat.say(text)

    chat.say("sí")

    with schema_context(tenant_a.schema_name):
        assert Order.objects.get().total == Decimal("6.00")


def test_a_name_or_phone_the_model_made_up_is_not_used(
    tenant_a: TenantHandle, menu: dict[str, MenuItem], server: FakeModelServer
) -> None:
    use_openai(tenant_a, server)
    chat = start_chat(tenant_a)
    server.script(
        openai_tool("add_to_order", items=[{"item_id": menu["cerveza"].pk, "quantity": 2}]),
        openai_tool("checkout", order_type="pickup", time="asap"),
        openai_tool("give_contact", name="John Smith", phone="+34600000000"),
        openai_tool("give_contact", name="John Smith", phone="+34600000000"),
        openai_tool("give_contact", name="Ana", phone="+34600000000"),
        openai_tool("answer_yes"),
    )
    chat.say("2 cervezas")
    chat.say("eso es todo, para recoger")

    asked = chat.say("lo antes posible")

    assert said(asked) == replies.say("ask_name", "es")
    assert chat.say("Ana") == [replies.say("ask_phone", "es")]
    chat.say("612 34 56 78")
    chat.say("sí")
    with schema_context(tenant_a.schema_name):
        customer = Order.objects.get().customer
        assert customer is not None
        assert (customer.name, customer.phone) == ("Ana", "+34612345678")


def test_a_booking_the_model_puts_in_the_past_is_not_made(
    tenant_a: TenantHandle, menu: dict[str, MenuItem], server: FakeModelServer
) -> None:
    use_openai(tenant_a, server)
    chat = start_chat(tenant_a, "en")
    with schema_context(tenant_a.schema_name):
        yesterday = (restaurant_local_now() - timedelta(days=1)).date()
    server.script(
        openai_tool("book_table", party_size=2, date=yesterday.isoformat(), time="20:00"),
        openai_tool("answer_yes"),
        openai_tool("answer_yes"),
        openai_tool("answer_yes"),
    )

    for text in ["table for two yesterday at 8pm", "Sam", "611222333", "yes"]:
        chat.say(text)

    with schema_context(tenant_a.schema_name):
        assert not Reservation.objects.exists()


# --- failures: the rules engine answers within the turn -------------------------------------


@pytest.mark.parametrize(
    ("reply", "outcome"),
    [
        (Reply(status=500, body={"error": "model crashed"}), "error"),
        (Reply(raw=b"<html>502 Bad Gateway</html>", content_type="text/html"), "error"),
        (Reply(raw=b'{"message": {"content": ', content_type="application/json"), "error"),
        (Reply(body=ollama_message("Claro, dos tacos al pastor.")), "invalid"),
        (Reply(body=ollama_message("{}"), delay=TIMEOUT * 3), "timeout"),
    ],
)
def test_a_failing_model_is_answered_by_the_rules_within_the_turn(
    tenant_a: TenantHandle,
    menu: dict[str, MenuItem],
    server: FakeModelServer,
    reply: Reply,
    outcome: str,
) -> None:
    use_ollama(tenant_a, server)
    chat = start_chat(tenant_a)
    server.script(reply)

    started = time.monotonic()
    answer = chat.say("quiero 2 tacos al pastor")
    elapsed = time.monotonic() - started

    assert cart(tenant_a, chat.conversation) == [(menu["pastor"].pk, 2)]
    assert "7,00 €" in said(answer)
    assert outcomes(tenant_a, chat.conversation) == [outcome]
    assert elapsed < TIMEOUT * 2.5  # never waits for the slow model to finish


def test_a_model_dripping_its_answer_is_cut_off_at_the_deadline(
    tenant_a: TenantHandle, menu: dict[str, MenuItem], server: FakeModelServer
) -> None:
    use_ollama(tenant_a, server)
    chat = start_chat(tenant_a)
    # Each piece arrives within the read timeout, the whole answer well after the deadline.
    server.script(Reply(stream=[" "] * 12 + ["{}"], line_delay=TIMEOUT / 4))

    started = time.monotonic()
    answer = chat.say("quiero 2 tacos al pastor")

    assert time.monotonic() - started < TIMEOUT * 2.5
    assert "7,00 €" in said(answer)
    assert outcomes(tenant_a, chat.conversation) == ["timeout"]


def test_400_does_not_support_tools_retries_with_json_output_in_the_same_turn(
    tenant_a: TenantHandle, menu: dict[str, MenuItem], server: FakeModelServer
) -> None:
    use_ollama(tenant_a, server, tool_mode="auto")
    chat = start_chat(tenant_a)
    pastor = menu["pastor"].pk
    server.script(
        Reply(
            status=400,
            body={"error": "registry.ollama.ai/library/phi3:mini does not support tools"},
        ),
        ollama_json("add", "", items=[{"item_id": pastor, "quantity": 2}]),
        ollama_json("add", "", items=[{"item_id": pastor, "quantity": 1}]),
    )

    chat.say("me pones dos de los de cerdo con piña")
    chat.say("y otro más de esos")

    assert cart(tenant_a, chat.conversation) == [(pastor, 3)]
    bodies = [request["body"] for request in server.requests]
    assert ["tools" in body for body in bodies] == [True, False, False]
    assert ["format" in body for body in bodies] == [False, True, True]
    assert outcomes(tenant_a, chat.conversation) == ["ok", "ok"]


def test_openai_400_tools_not_supported_retries_with_a_json_schema_response_format(
    tenant_a: TenantHandle, menu: dict[str, MenuItem], server: FakeModelServer
) -> None:
    use_openai(tenant_a, server, tool_mode="auto")
    chat = start_chat(tenant_a, "en")
    wings = menu["alitas"].pk
    server.script(
        Reply(status=400, body={"error": {"message": "tools is not supported by this model"}}),
        Reply(
            body=openai_message(
                json.dumps(
                    {"intent": "add", "reply": "", "items": [{"item_id": wings, "quantity": 12}]}
                )
            )
        ),
    )

    answer = chat.say("a dozen of the spicy chicken bits please")

    assert cart(tenant_a, chat.conversation) == [(wings, 12)]
    assert "€12.00" in said(answer)  # 12 x 1.00 from the database
    retry = server.requests[1]["body"]
    assert "tools" not in retry
    assert retry["response_format"]["json_schema"]["schema"] == TURN_SCHEMA


def test_openai_streaming_tool_call_turn(
    tenant_a: TenantHandle, menu: dict[str, MenuItem], server: FakeModelServer
) -> None:
    use_openai(tenant_a, server, stream=True)
    chat = start_chat(tenant_a)
    arguments = json.dumps({"items": [{"item_id": menu["guacamole"].pk, "quantity": 1}]})
    deltas = [
        {
            "choices": [
                {
                    "delta": {
                        "tool_calls": [
                            {
                                "index": 0,
                                "function": {"name": "add_to_order", "arguments": arguments[:15]},
                            }
                        ]
                    }
                }
            ]
        },
        {
            "choices": [
                {"delta": {"tool_calls": [{"index": 0, "function": {"arguments": arguments[15:]}}]}}
            ]
        },
        {"choices": [], "usage": {"prompt_tokens": 70, "completion_tokens": 8}},
    ]
    server.script(
        Reply(
            stream=[f"data: {json.dumps(d)}\n" for d in deltas] + ["data: [DONE]"],
            content_type="text/event-stream",
        )
    )

    answer = chat.say("y un guaca de esos")

    assert cart(tenant_a, chat.conversation) == [(menu["guacamole"].pk, 1)]
    assert "6,00 €" in said(answer)
    with schema_context(tenant_a.schema_name):
        assert Conversation.objects.get(pk=chat.conversation).llm_prompt_tokens == 70


def test_400_does_not_support_tools_then_a_failure_falls_back_to_the_rules(
    tenant_a: TenantHandle, menu: dict[str, MenuItem], server: FakeModelServer
) -> None:
    use_ollama(tenant_a, server, tool_mode="auto")
    chat = start_chat(tenant_a)
    server.script(
        Reply(status=400, body={"error": "model does not support tools"}),
        Reply(status=500, body={"error": "out of memory"}),
    )

    answer = chat.say("quiero 2 tacos al pastor")

    assert cart(tenant_a, chat.conversation) == [(menu["pastor"].pk, 2)]
    assert "7,00 €" in said(answer)
    assert len(server.requests) == 2
    with schema_context(tenant_a.schema_name):
        call = ModelCall.objects.get(conversation_id=chat.conversation)
        assert (call.outcome, call.mode) == ("error", "json")


def test_the_circuit_opens_after_repeated_failures_and_half_opens_after_the_cooldown(
    tenant_a: TenantHandle,
    menu: dict[str, MenuItem],
    server: FakeModelServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use_ollama(tenant_a, server)
    chat = start_chat(tenant_a)
    server.script(*[Reply(status=500, body={"error": "down"})] * breaker.FAILURE_THRESHOLD)

    for _ in range(breaker.FAILURE_THRESHOLD):
        assert "Añadido: 2x Tacos al pastor" in said(chat.say("2 tacos al pastor"))
    for _ in range(2):
        # Open: the rules answer at once and the model server is not called at all.
        assert "Añadido: 1x Cerveza" in said(chat.say("una cerveza"))
    assert len(server.requests) == breaker.FAILURE_THRESHOLD
    assert outcomes(tenant_a, chat.conversation) == ["error"] * 3 + ["skipped"] * 2

    later = time.time() + breaker.COOLDOWN + 1
    # The clock is the only thing faked: the breaker's state is in the real Redis.
    monkeypatch.setattr("tenant_apps.assistant.llm.breaker.time.time", lambda: later)
    server.script(
        ollama_json("smalltalk", "¡Hola de nuevo!"), ollama_json("smalltalk", "¿Algo más?")
    )
    chat.say("hola otra vez")  # the one trial call: it succeeds and closes the circuit
    chat.say("qué tal")

    assert len(server.requests) == breaker.FAILURE_THRESHOLD + 2
    assert outcomes(tenant_a, chat.conversation)[-2:] == ["ok", "ok"]


def test_token_usage_is_recorded_per_call_and_on_the_conversation(
    tenant_a: TenantHandle, menu: dict[str, MenuItem], server: FakeModelServer
) -> None:
    use_openai(tenant_a, server, tool_mode="json")
    chat = start_chat(tenant_a)
    server.script(
        Reply(
            body=openai_message('{"intent": "greet", "reply": "¡Hola!"}', prompt=100, completion=10)
        ),
        # Tokens spent on an answer that breaks the schema are still counted.
        Reply(body=openai_message("no es JSON", prompt=120, completion=15)),
        Reply(status=500, body={"error": "down"}),
    )

    for text in ["hola", "qué tal", "adiós"]:
        chat.say(text)

    with schema_context(tenant_a.schema_name):
        conversation = Conversation.objects.get(pk=chat.conversation)
        assert (conversation.llm_prompt_tokens, conversation.llm_completion_tokens) == (220, 25)
        calls = ModelCall.objects.filter(conversation=conversation).order_by("id")
        assert [(c.outcome, c.prompt_tokens, c.completion_tokens) for c in calls] == [
            ("ok", 100, 10),
            ("invalid", 120, 15),
            ("error", 0, 0),
        ]
        assert all(c.provider == "openai" and c.model == "gpt-4o-mini" for c in calls)
    staff_view = client_as(tenant_a, "manager").get(f"/api/v1/conversations/{chat.conversation}/")
    assert staff_view.json()["llm_prompt_tokens"] == 220


def test_ollama_streaming_turn(
    tenant_a: TenantHandle, menu: dict[str, MenuItem], server: FakeModelServer
) -> None:
    use_ollama(tenant_a, server, stream=True)
    chat = start_chat(tenant_a)
    pastor = menu["pastor"].pk
    content = json.dumps(
        {"intent": "add", "reply": "", "items": [{"item_id": pastor, "quantity": 2}]}
    )
    chunks = [
        {"message": {"role": "assistant", "content": content[:20]}, "done": False},
        {"message": {"role": "assistant", "content": content[20:]}, "done": False},
        {
            "message": {"role": "assistant", "content": ""},
            "done": True,
            "prompt_eval_count": 50,
            "eval_count": 12,
        },
    ]
    server.script(
        Reply(stream=[json.dumps(c) for c in chunks], content_type="application/x-ndjson")
    )

    answer = chat.say("me pones dos de los de cerdo con piña")

    assert cart(tenant_a, chat.conversation) == [(pastor, 2)]
    assert "7,00 €" in said(answer)
    assert server.requests[0]["body"]["stream"] is True
    with schema_context(tenant_a.schema_name):
        assert Conversation.objects.get(pk=chat.conversation).llm_prompt_tokens == 50


def test_switching_back_to_the_rules_engine_stops_calling_the_model(
    tenant_a: TenantHandle, menu: dict[str, MenuItem], server: FakeModelServer
) -> None:
    use_ollama(tenant_a, server)
    configure(tenant_a, provider="rules")
    chat = start_chat(tenant_a)

    answer = chat.say("quiero 2 tacos al pastor")

    assert "7,00 €" in said(answer)
    assert server.requests == []
    assert outcomes(tenant_a, chat.conversation) == []
