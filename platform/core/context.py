"""Per-request (and per-task) context that every log line carries.

Context variables rather than thread locals so the same code serves WSGI workers, Celery
tasks and async views.
"""

from __future__ import annotations

import uuid
from contextvars import ContextVar
from typing import Any

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")
request_var: ContextVar[Any] = ContextVar("request", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


def current_schema() -> str:
    # Imported lazily: logging is configured before the database layer is ready.
    from django.db import connection

    return str(getattr(connection, "schema_name", "-"))


def current_user_label() -> str:
    """The authenticated user's id, without forcing a database lookup from a log call."""
    from django.utils.functional import SimpleLazyObject, empty

    request = request_var.get()
    user = getattr(request, "user", None) if request is not None else None
    if user is None:
        return "-"
    if isinstance(user, SimpleLazyObject) and user._wrapped is empty:  # type: ignore[attr-defined]
        return "-"
    if not getattr(user, "is_authenticated", False):
        return "anonymous"
    return f"user:{user.pk}"
