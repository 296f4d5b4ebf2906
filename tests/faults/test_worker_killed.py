"""Fault suite: a Celery worker killed with SIGKILL mid-task.

Tasks are acknowledged late (CELERY_TASK_ACKS_LATE) and rejected when their worker is lost, so
a killed worker's task stays unacknowledged in Redis; once the visibility timeout has passed, a
running worker puts it back and it runs again, to completion, once. The test shortens the
timeout to seconds (production: the hard time limit plus 100 s, so a task that is still running
is never handed out twice).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from celery import Celery
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
QUEUE = "fault-test"
VISIBILITY_SECONDS = 2


def _worker(name: str, *, restore_interval: int) -> subprocess.Popen[bytes]:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.CELERY_BROKER_URL,
        "DYSA_CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_SECONDS),
        "DYSA_CELERY_RESTORE_INTERVAL": str(restore_interval),
        "PYTHONPATH": os.pathsep.join([str(ROOT / "platform"), str(ROOT)]),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config.celery_app", "worker", "--pool", "solo",
         "--queues", QUEUE, "--include", "tests.faults.fault_tasks", "--hostname",
         f"{name}-{uuid.uuid4().hex[:6]}@%h", "--loglevel", "WARNING", "--without-heartbeat",
         "--without-gossip", "--without-mingle"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip


def _wait_for(check: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return True
        time.sleep(0.2)
    return False


@pytest.mark.django_db
def test_a_task_whose_worker_is_killed_runs_again_and_completes_exactly_once() -> None:
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    key = f"fault:{uuid.uuid4().hex}"

    def count(what: str) -> int:
        return int(client.get(f"{key}:{what}") or 0)

    # The first worker never sweeps during the test: it is the one that dies.
    first = _worker("doomed", restore_interval=3600)
    second: subprocess.Popen[bytes] | None = None
    try:
        # A sender of its own: sending to a queue adds it to the app's queue list, and the
        # project's app (and any worker the suite starts with it) must not learn this one.
        with Celery("fault-test-sender", broker=settings.CELERY_BROKER_URL) as sender:
            sender.send_task(
                "tests.faults.fault_tasks.slow_once",
                args=[key, 60.0],
                queue=QUEUE,
                routing_key=QUEUE,
            )
        started = _wait_for(lambda: count("started") == 1, 60)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
        second = _worker("survivor", restore_interval=1)
        finished = _wait_for(lambda: count("finished") >= 1, 60)
        time.sleep(VISIBILITY_SECONDS + 2)  # time enough for a second, wrong delivery
    finally:
        for worker in (first, second):
            if worker is not None and worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
                worker.wait(timeout=20)

    assert started, "the first worker picked the task up"
    assert finished, "the task was delivered again after its worker died"
    assert count("started") == 2
    assert count("finished") == 1
    client.delete(f"{key}:started", f"{key}:finished")
