"""Sentry events are tagged with the tenant and carry no personal data or secrets."""

from __future__ import annotations

from typing import Any

import pytest

from config.observability import _scrub_event
from core.context import request_id_var
from core.db import use_tenant
from tests.tenants.factories import TenantHandle


@pytest.mark.django_db
def test_events_are_tagged_with_tenant_and_request_and_lose_pii(tenant_a: TenantHandle) -> None:
    use_tenant(tenant_a.restaurant)
    token = request_id_var.set("req-abcdef12")
    event: dict[str, Any] = {
        "user": {"email": "ana@example.com", "ip_address": "10.0.0.1"},
        "request": {
            "cookies": {"sessionid": "abc"},
            "data": {"password": "hunter2-secret"},
            "headers": {"Authorization": "Bearer eyJhbGciOi.eyJzdWIi.c2lnbmF0", "Accept": "*/*"},
        },
        "extra": {"api_key": "k-123456"},
    }
    try:
        scrubbed = _scrub_event(event, {})
    finally:
        request_id_var.reset(token)

    assert scrubbed["tags"] == {"tenant": "t_alpha", "request_id": "req-abcdef12"}
    assert "user" not in scrubbed
    assert "cookies" not in scrubbed["request"]
    assert "data" not in scrubbed["request"]
    assert "eyJ" not in str(scrubbed)
    assert "k-123456" not in str(scrubbed)
    assert scrubbed["request"]["headers"]["Accept"] == "*/*"
