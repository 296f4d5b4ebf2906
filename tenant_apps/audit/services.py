"""Writing the audit log."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from core.context import request_id_var, request_var
from core.logging import redact_value
from tenant_apps.audit.models import AuditEntry

MAX_SNAPSHOT_CHARS = 20_000


def _json_safe(value: Any) -> Any:
    """Plain JSON (dates, decimals as strings), secrets redacted, size bounded."""
    if value is None:
        return None
    text = json.dumps(redact_value(value), cls=DjangoJSONEncoder, ensure_ascii=False)
    if len(text) > MAX_SNAPSHOT_CHARS:
        return {"truncated": True, "preview": text[:1000]}
    return json.loads(text)


def _client_ip() -> str | None:
    request = request_var.get()
    if request is None:
        return None
    address = request.META.get("REMOTE_ADDR")
    return str(address) if address else None


def audit_record(
    *,
    actor_id: int | None,
    actor_label: str,
    action: str,
    target_type: str,
    target_id: object = "",
    summary: str = "",
    before: Any = None,
    after: Any = None,
) -> AuditEntry:
    """Append an entry; call it inside the write's transaction so both commit or neither."""
    request_id = request_id_var.get()
    return AuditEntry.objects.create(
        actor_id=actor_id,
        actor_label=actor_label[:254],
        action=action[:64],
        target_type=target_type[:64],
        target_id=str(target_id or "")[:64],
        summary=summary[:255],
        before=_json_safe(before),
        after=_json_safe(after),
        request_id="" if request_id == "-" else request_id[:64],
        ip_address=_client_ip(),
    )
