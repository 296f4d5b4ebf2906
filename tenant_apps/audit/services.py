"""Writing the audit log: every write service records its entry here, inside its own
transaction, naming the actor it was given (ADR 0008)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model

from core.actors import Actor
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


def snapshot(instance: Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The stored values of a row's own columns (foreign keys as ids, timestamps the database
    keeps left out), for an audit entry."""
    wanted = None if fields is None else set(fields)
    return {
        field.attname if field.is_relation else field.name: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if (wanted is None or field.name in wanted or field.attname in wanted)
        and not getattr(field, "auto_now", False)
        and not getattr(field, "auto_now_add", False)
    }


def snapshot_diff(
    before: dict[str, Any], after: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The entries of two snapshots that differ: (before, after) of the changed keys only."""
    changed = [key for key in after if before.get(key) != after[key]]
    return {key: before.get(key) for key in changed}, {key: after[key] for key in changed}


def audit_record(
    *,
    actor: Actor,
    action: str,
    target: Model | None = None,
    target_type: str = "",
    target_id: object = "",
    summary: str = "",
    before: Any = None,
    after: Any = None,
) -> AuditEntry:
    """Append an entry; write services call it inside their transaction, so the write and its
    entry commit together or not at all. `target` names the row (type, id and, by default,
    the summary); a deleted row is named by `target_type` and `target_id`."""
    request_id = request_id_var.get()
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or target.pk
        summary = summary or str(target)
    return AuditEntry.objects.create(
        actor_id=actor.user_id,
        actor_label=actor.label[:254],
        action=action[:64],
        target_type=target_type[:64],
        target_id=str(target_id or "")[:64],
        summary=summary[:255],
        before=_json_safe(before),
        after=_json_safe(after),
        request_id="" if request_id == "-" else request_id[:64],
        ip_address=_client_ip(),
    )
