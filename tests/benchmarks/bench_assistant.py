"""Assistant turn latency with the rules engine, database writes included (target p95 < 50 ms).

Each turn goes through the web chat service: record the customer's message, load the menu and
dialog state, understand, act (cart, quotes, orders, bookings through the domain services),
write the replies. Baseline in the same run: recording a message alone (one small write).
"""

from __future__ import annotations

import time
from typing import Any

from tests.benchmarks.harness import (
    BenchContext,
    bench_restaurant,
    prepare_bench_database,
    summarize_ms,
    target,
)

SLUG = "benchassistant"
SCRIPTS = [
    [
        "hola",
        "quiero dos tacos al pastor y una coca grande",
        "eso es todo",
        "para recoger",
        "lo antes posible",
        "Ana",
        "+34 612 345 678",
        "sí",
    ],
    ["mesa para 4 mañana a las 21:00", "Carlos", "612777888", "sí"],
    ["¿cuánto cuesta la hamburguesa clásica?", "¿qué alérgenos tiene?", "gracias"],
    [
        "hi, can I get a dozen wings",
        "that's all",
        "pickup",
        "asap",
        "Tom",
        "+44 7911 123458",
        "yes",
    ],
]


def _tenant() -> Any:
    return bench_restaurant(SLUG, name="Bench Tacos", owner_email="owner@bench.example")


def run(ctx: BenchContext) -> dict[str, object]:
    from core.db import use_public_schema, use_tenant
    from tenant_apps.conversations.models import Channel
    from tenant_apps.conversations.services import conversation_start, message_receive
    from tenant_apps.menu.models import MenuItem
    from tenant_apps.messaging.services import webchat_message_post
    from tests.tenant_apps.assistant.restaurant import seed_dialog_restaurant

    prepare_bench_database()
    restaurant = _tenant()
    use_tenant(restaurant)
    try:
        if not MenuItem.objects.exists():
            seed_dialog_restaurant()
        rounds = ctx.size(25, 3)
        turns: list[float] = []
        baseline: list[float] = []
        for _ in range(rounds):
            for script in SCRIPTS:
                conversation = conversation_start(channel=Channel.WEB, language="es")
                for text in script:
                    started = time.perf_counter()
                    webchat_message_post(conversation=conversation, text=text)
                    turns.append(time.perf_counter() - started)
                    started = time.perf_counter()
                    message_receive(conversation=conversation, text=text)
                    baseline.append(time.perf_counter() - started)
        turn = summarize_ms(turns)
        base = summarize_ms(baseline)
    finally:
        use_public_schema()
    return {
        "turn": turn,
        "baseline_record_message_only": base,
        "targets": {"turn_p95_ms": target(turn["p95_ms"], 50, unit="ms")},
    }
