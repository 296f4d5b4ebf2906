"""Running service calls truly at once, each on its own database connection."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from django.db import connection
from django_tenants.utils import schema_context


def run_concurrently(
    schema_name: str,
    calls: Sequence[Callable[[], object]],
    *,
    expected: tuple[type[BaseException], ...] = (),
) -> list[str]:
    """Start every call in its own thread behind a barrier; "ok", the name of an `expected`
    exception, or the repr of any other error, one per call (in completion order)."""
    outcomes: list[str] = []
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], object]) -> None:
        try:
            with schema_context(schema_name):
                barrier.wait(timeout=10)
                call()
            outcomes.append("ok")
        except expected as exc:
            outcomes.append(type(exc).__name__)
        except BaseException as exc:
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
