"""gunicorn's process model and the Celery queue split, as configured."""

from __future__ import annotations

import os
import runpy
from pathlib import Path
from typing import Any

import pytest

from config.celery_app import app

GUNICORN_CONF = Path(__file__).resolve().parents[2] / "infra" / "gunicorn.conf.py"


def _gunicorn_conf(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, Any]:
    for name in ("DYSA_WEB_BIND", "DYSA_PUBLIC_PORT", "WEB_CONCURRENCY", "GUNICORN_PRELOAD"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(GUNICORN_CONF))


def test_the_bind_address_does_not_follow_the_public_port(monkeypatch: pytest.MonkeyPatch) -> None:
    conf = _gunicorn_conf(monkeypatch, DYSA_PUBLIC_PORT="443")

    assert conf["bind"] == "0.0.0.0:8000"
    assert _gunicorn_conf(monkeypatch, DYSA_WEB_BIND="127.0.0.1:9000")["bind"] == "127.0.0.1:9000"


def test_the_app_is_preloaded_and_workers_recycle_with_jitter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    conf = _gunicorn_conf(monkeypatch)

    assert conf["preload_app"] is True
    assert conf["max_requests"] > 0
    assert 0 < conf["max_requests_jitter"] < conf["max_requests"]
    assert _gunicorn_conf(monkeypatch, GUNICORN_PRELOAD="false")["preload_app"] is False


@pytest.mark.parametrize(
    ("cpus", "memory_mb", "expected"),
    [
        (2, 16_384, 5),  # CPU-bound: 2 x 2 + 1
        (0.5, 16_384, 3),  # a fraction of a CPU still gets 2 x 1 + 1
        (8, 1_024, 4),  # memory-bound: (1024 - 256) // 160
        (4, 300, 1),  # never fewer than one
        (2, None, 5),  # memory unknown
    ],
)
def test_workers_follow_cpus_and_memory(
    monkeypatch: pytest.MonkeyPatch, cpus: float, memory_mb: int | None, expected: int
) -> None:
    worker_count = _gunicorn_conf(monkeypatch)["worker_count"]

    assert worker_count(cpus=cpus, memory_mb=memory_mb) == expected


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("shared_apps.mail.tasks.email_send_task", "interactive"),
        ("tenant_apps.messaging.tasks.whatsapp_inbound", "interactive"),
        ("shared_apps.backups.tasks.backup_nightly", "batch"),
        ("shared_apps.backups.tasks.backup_run_drain", "batch"),
        ("shared_apps.billing.tasks.usage_metering_run", "batch"),
        ("tenant_apps.assistant.tasks.model_calls_prune_all", "batch"),
        ("tenants.tasks.spare_schemas_fill_task", "batch"),
    ],
)
def test_nightly_work_and_customer_replies_go_to_different_queues(task: str, queue: str) -> None:
    route = app.amqp.router.route({}, task)

    assert route["queue"].name == queue


def test_a_worker_without_queue_options_consumes_both_queues() -> None:
    assert set(app.amqp.queues) == {"interactive", "batch"}


@pytest.mark.parametrize(
    ("leaving", "code"),
    [(None, 0), (SystemExit(0), 0), (SystemExit(None), 0), (SystemExit(3), 3), (SystemExit("x"), 1),
     (RuntimeError("boom"), 1)],
)  # fmt: skip
def test_a_leaving_worker_keeps_gunicorn_s_exit_code(
    monkeypatch: pytest.MonkeyPatch, leaving: BaseException | None, code: int
) -> None:
    """Boot errors (3) and app load errors (4) must reach the master as such."""
    exit_code = _gunicorn_conf(monkeypatch)["_exit_code"]

    assert exit_code(leaving) == code


def test_the_exit_hook_does_nothing_in_the_master(monkeypatch: pytest.MonkeyPatch) -> None:
    """gunicorn also calls worker_exit in the master, for a worker that is already gone."""
    worker_exit = _gunicorn_conf(monkeypatch)["worker_exit"]

    class GoneWorker:
        pid = os.getpid() + 1

    assert worker_exit(None, GoneWorker()) is None  # still here: the process did not exit
