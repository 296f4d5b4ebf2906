"""Error reporting: Sentry, tagged with the tenant schema, without personal data."""

from __future__ import annotations

from typing import Any

from core.logging import redact_value


def _frames(event: dict[str, Any]) -> list[dict[str, Any]]:
    """Every stack frame an event carries (exceptions, threads)."""
    frames: list[dict[str, Any]] = []
    for section in ("exception", "threads"):
        container = event.get(section)
        values = container.get("values") if isinstance(container, dict) else None
        for value in values if isinstance(values, list) else []:
            stacktrace = value.get("stacktrace") if isinstance(value, dict) else None
            found = stacktrace.get("frames") if isinstance(stacktrace, dict) else None
            frames.extend(
                f for f in (found if isinstance(found, list) else []) if isinstance(f, dict)
            )
    return frames


def _scrub_event(event: dict[str, Any], _hint: dict[str, Any]) -> dict[str, Any]:
    from core.context import current_schema, request_id_var

    # Local variables of a stack frame can hold signing keys, tokens and passwords. They are
    # not collected (include_local_variables=False); any that still arrive are dropped.
    for frame in _frames(event):
        frame.pop("vars", None)
    breadcrumbs = event.get("breadcrumbs")
    crumbs = breadcrumbs.get("values") if isinstance(breadcrumbs, dict) else None
    for crumb in crumbs if isinstance(crumbs, list) else []:
        if isinstance(crumb, dict):
            crumb.update(redact_value({k: crumb[k] for k in ("message", "data") if k in crumb}))

    event.setdefault("tags", {})["tenant"] = current_schema()
    event["tags"]["request_id"] = request_id_var.get()
    request = event.get("request")
    if isinstance(request, dict):
        request.pop("cookies", None)
        request.pop("data", None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = redact_value(headers)
    event.pop("user", None)
    extra = event.get("extra")
    if isinstance(extra, dict):
        event["extra"] = redact_value(extra)
    return event


def init_sentry(*, dsn: str, environment: str, **options: Any) -> None:
    """`options`: further sentry_sdk.init options (tests pass a transport's settings)."""
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        send_default_pii=False,
        include_local_variables=False,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        before_send=_scrub_event,  # type: ignore[arg-type]
        traces_sample_rate=0.0,
        **options,
    )
