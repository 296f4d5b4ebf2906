"""The fault suite's timings (the tests only check that things recover: tests/faults/).

A language model that accepts the request and never answers: each customer turn must come back
within the restaurant's model timeout (answered by the rules engine), and once the circuit
breaker has seen FAILURE_THRESHOLD failures the turns stop waiting at all. Baseline in the same
run: the same turns with the rules engine alone.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

from tests.benchmarks.harness import (
    BenchContext,
    bench_restaurant,
    prepare_bench_database,
    summarize_ms,
    target,
)
from tests.faults.test_llm_hanging import HangingServer

SLUG = "benchfaults"
MODEL_TIMEOUT_SECONDS = 1.0
# Over the model timeout a turn may spend this long on everything else.
SLACK_SECONDS = 0.5
TEXT = "quiero dos tacos al pastor"


def _tenant() -> Any:
    return bench_restaurant(SLUG, name="Bench Faults", owner_email="owner@benchfaults.example")


def _turns(count: int) -> list[float]:
    from tenant_apps.conversations.models import Channel
    from tenant_apps.conversations.services import conversation_start
    from tenant_apps.messaging.services import webchat_message_post

    seconds = []
    for _ in range(count):
        conversation = conversation_start(channel=Channel.WEB, language="es")
        started = time.perf_counter()
        webchat_message_post(conversation=conversation, text=TEXT)
        seconds.append(time.perf_counter() - started)
    return seconds


def _configure(changes: dict[str, Any]) -> None:
    from django.db import transaction

    from tenant_apps.assistant.llm.breaker import breaker_reset
    from tenant_apps.assistant.llm.engine import model_endpoint
    from tenant_apps.assistant.services import assistant_settings_update

    with transaction.atomic():
        settings = assistant_settings_update(changes=changes)
    breaker_reset(endpoint=model_endpoint(settings))


def run(ctx: BenchContext) -> dict[str, object]:
    from core.db import use_public_schema, use_tenant
    from tenant_apps.assistant.llm.breaker import FAILURE_THRESHOLD
    from tenant_apps.menu.models import MenuItem
    from tests.tenant_apps.assistant.restaurant import seed_dialog_restaurant

    prepare_bench_database()
    restaurant = _tenant()
    model = HangingServer(listener=socket.socket())
    model.listener.bind(("127.0.0.1", 0))
    model.listener.listen()
    threading.Thread(target=model.serve, daemon=True).start()
    use_tenant(restaurant)
    try:
        if not MenuItem.objects.exists():
            seed_dialog_restaurant()
        count = ctx.size(10, FAILURE_THRESHOLD + 2)
        _configure({"provider": "rules"})
        rules = _turns(count)
        _configure(
            {
                "provider": "ollama",
                "base_url": model.url,
                "model": "phi3:mini",
                "tool_mode": "json",
                "timeout_seconds": MODEL_TIMEOUT_SECONDS,
            }
        )
        hanging = _turns(count)
        _configure({"provider": "rules"})
    finally:
        use_public_schema()
        model.stop()
    waited = hanging[:FAILURE_THRESHOLD]
    after_breaker = hanging[FAILURE_THRESHOLD:]
    return {
        "model_timeout_seconds": MODEL_TIMEOUT_SECONDS,
        "turns_each": count,
        "model_requests_received": len(model.requests),
        "rules_engine_turn": summarize_ms(rules),
        "hanging_model_turns_until_breaker_opens": summarize_ms(waited),
        "hanging_model_turns_with_breaker_open": summarize_ms(after_breaker),
        "targets": {
            "slowest_turn_with_hanging_model_s": target(
                max(hanging), MODEL_TIMEOUT_SECONDS + SLACK_SECONDS, unit="s"
            ),
        },
    }
