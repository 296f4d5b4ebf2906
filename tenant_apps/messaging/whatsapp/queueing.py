"""Queueing the WhatsApp tasks by name, after the current transaction commits.

By name: the tasks module imports the modules that queue them (imports go one way, ADR 0008).
Nobody reads these tasks' results, and saying so matters for the sender: otherwise Celery's
Redis result backend subscribes the sending process (a web worker, for a webhook) to one
result channel per task sent, a Redis round trip on the webhook's acknowledgement.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from celery import current_app
from django.db import transaction


def task_queue(name: str, *, args: Sequence[object]) -> None:
    current_app.send_task(name, args=list(args), ignore_result=True)


def task_queue_after_commit(name: str, *, args: Sequence[object]) -> None:
    """Queue at once outside a transaction, else when it commits (never if it rolls back)."""
    transaction.on_commit(partial(task_queue, name, args=args))
