"""WhatsApp under a burst: 200 inbound messages across 20 restaurants (quick: 40 across 4).

Measured: the webhook's acknowledgement (signature check, store, queue; through the whole
Django stack in-process, 4 concurrent senders; target p95 < 50 ms) and inbound message to
reply sent (from the webhook's start to the fake provider receiving the assistant's first
reply over HTTP, processed by a real Celery worker process with 2 processes; target p95 <
1 s). Baseline in the same run: a web-chat turn (record the message, the assistant answers)
for the same texts, in-process.

The fake Twilio is tests/tenant_apps/messaging/whatsapp/fakes.py, on 127.0.0.1; the worker
uses a Redis database of its own (the broker `make run` uses is left alone).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.actors import TEST_ACTOR
from tests.benchmarks.harness import (
    BENCH_DIR,
    ROOT,
    BenchContext,
    prepare_bench_database,
    summarize_ms,
    target,
)

TEXTS = ["hola", "¿cuánto cuesta la hamburguesa clásica?", "¿abrís hoy?", "buenas tardes"]
SENDERS = 4
_clients = threading.local()


def _restaurants(count: int) -> list[Any]:
    from tenants.selectors import restaurant_get
    from tenants.services import restaurant_onboard

    found = []
    for n in range(count):
        slug = f"benchwa{n:02d}"
        restaurant = restaurant_get(slug=slug) or (
            restaurant_onboard(
                slug=slug,
                name=f"Bench WhatsApp {n}",
                owner_email=f"owner@{slug}.example",
                owner_password="bench-pass-123",
            ).restaurant
        )
        found.append(restaurant)
    return found


def _connect(restaurants: list[Any]) -> None:
    from django_tenants.utils import tenant_context

    from tenant_apps.messaging.whatsapp.services import whatsapp_channel_configure
    from tests.tenant_apps.messaging.whatsapp.fakes import ACCOUNT_SID, AUTH_TOKEN

    for restaurant in restaurants:
        with tenant_context(restaurant):
            whatsapp_channel_configure(
                actor=TEST_ACTOR,
                provider="twilio",
                phone_number="+34910000001",
                credentials={"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN},
            )


def _worker(fake_base: str, broker: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.bench",
        "REDIS_URL": broker,
        "DYSA_TWILIO_API_BASE": fake_base,
        "PYTHONPATH": str(ROOT / "platform") + os.pathsep + str(ROOT),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config.celery_app",
            "worker",
            "--concurrency",
            "2",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=_worker_log(),
        start_new_session=True,
    )


def _worker_log() -> Any:
    BENCH_DIR.mkdir(exist_ok=True)
    return (BENCH_DIR / "whatsapp-worker.log").open("wb")


def _own_broker() -> str:
    """This run's broker: the configured Redis, another database number."""
    from django.conf import settings

    from config.celery_app import app

    base = settings.CELERY_BROKER_URL.rsplit("/", 1)[0]
    broker = f"{base}/5"
    app.conf.broker_url = broker
    app.conf.result_backend = broker
    app.control.purge()  # what an interrupted run left queued
    return broker


def _post(restaurant: Any, text: str, sender: str) -> float:
    from django.conf import settings
    from django.test import Client
    from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]

    from tests.tenant_apps.messaging.whatsapp.fakes import ACCOUNT_SID, AUTH_TOKEN

    host = f"{restaurant.slug}.{settings.DYSA_BASE_DOMAIN}"
    port = settings.DYSA_PUBLIC_PORT
    suffix = "" if port in (80, 443) else f":{port}"
    url = f"{settings.DYSA_PUBLIC_SCHEME}://{host}{suffix}/webhooks/whatsapp/twilio/"
    params = {
        "MessageSid": f"SM{time.time_ns():x}{sender[-6:]}",
        "AccountSid": ACCOUNT_SID,
        "From": f"whatsapp:{sender}",
        "To": "whatsapp:+34910000001",
        "Body": text,
        "NumMedia": "0",
    }
    signature = RequestValidator(AUTH_TOKEN).compute_signature(url, params)
    client = getattr(_clients, "client", None)
    if client is None:  # one per sender thread: a new Client loads every middleware again
        client = _clients.client = Client()
    response = client.post(
        "/webhooks/whatsapp/twilio/", params, HTTP_HOST=host, HTTP_X_TWILIO_SIGNATURE=signature
    )
    if response.status_code != 200:
        raise RuntimeError(f"webhook answered {response.status_code}: {response.content[:200]!r}")
    return time.monotonic()


def _web_chat_baseline(restaurant: Any, turns: int) -> list[float]:
    from django_tenants.utils import tenant_context

    from tenant_apps.messaging.services import webchat_message_post, webchat_session_start

    samples = []
    with tenant_context(restaurant):
        for n in range(turns):
            session = webchat_session_start(language="es")
            started = time.perf_counter()
            webchat_message_post(conversation=session.conversation, text=TEXTS[n % len(TEXTS)])
            samples.append(time.perf_counter() - started)
    return samples


def run(ctx: BenchContext) -> dict[str, object]:
    from tests.tenant_apps.messaging.whatsapp.fakes import FakeProvider

    prepare_bench_database()
    restaurant_count = ctx.size(20, 4)
    messages = ctx.size(200, 40)
    restaurants = _restaurants(restaurant_count)
    fake = FakeProvider().start()
    broker = _own_broker()
    _connect(restaurants)
    worker = _worker(fake.base, broker)
    try:
        # Warm-up: one message per restaurant, until the worker answers them all.
        for n, restaurant in enumerate(restaurants):
            _post(restaurant, "hola", f"+3461100{n:04d}")
        _wait_for(fake, restaurant_count, timeout=180)
        fake.sent.clear()

        acks: list[float] = []
        sent_at: dict[str, float] = {}
        run_id = int(time.time()) % 1000

        def one(n: int) -> None:
            sender = f"+3461{run_id:03d}{n:04d}"
            started = time.monotonic()
            t0 = time.perf_counter()
            _post(restaurants[n % restaurant_count], TEXTS[n % len(TEXTS)], sender)
            acks.append(time.perf_counter() - t0)
            sent_at[f"whatsapp:{sender}"] = started

        with ThreadPoolExecutor(SENDERS) as pool:
            list(pool.map(one, range(messages)))
        _wait_for(fake, messages, timeout=300, among=set(sent_at))
        first_reply: dict[str, float] = {}
        for sent in fake.sent:
            first_reply.setdefault(sent.to, sent.received_at)
        latencies = [first_reply[to] - sent_at[to] for to in sent_at if to in first_reply]
        baseline = _web_chat_baseline(restaurants[0], ctx.size(100, 20))
    finally:
        os.killpg(worker.pid, 15)
        worker.wait(30)
        fake.stop()
    ack = summarize_ms(acks)
    reply = summarize_ms(latencies)
    web = summarize_ms(baseline)
    return {
        "restaurants": restaurant_count,
        "messages": messages,
        "replied": len(latencies),
        "webhook_ack": ack,
        "inbound_to_reply_sent": reply,
        "baseline_web_chat_turn": web,
        "targets": {
            "webhook_ack_p95_ms": target(ack["p95_ms"], 50, unit="ms"),
            "inbound_to_reply_sent_p95_ms": target(reply["p95_ms"], 1000, unit="ms"),
            "every_message_answered": target(
                len(latencies), messages, unit="messages", higher_is_better=True
            ),
        },
    }


def _wait_for(fake: Any, count: int, *, timeout: float, among: set[str] | None = None) -> None:
    """Until `count` replies arrived (to `count` of the addresses in `among`, when given)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = len({s.to for s in fake.sent} & among) if among is not None else len(fake.sent)
        if got >= count:
            return
        time.sleep(0.05)
    raise RuntimeError(f"only {len(fake.sent)} of {count} replies reached the fake provider")
