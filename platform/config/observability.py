"""Error reporting: Sentry, tagged with the tenant schema, without personal data."""

from __future__ import annotations

from typing import Any

from core.logging import redact_value


def _scrub_event(event: dict[str, Any], _hint: dict[str, Any]) -> dict[str, Any]:
    from core.context import current_schema, request_id_var

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


def init_sentry(*, dsn: str, environment: str) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        send_default_pii=False,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        before_send=_scrub_event,  # type: ignore[arg-type]
        traces_sample_rate=0.0,
    )
