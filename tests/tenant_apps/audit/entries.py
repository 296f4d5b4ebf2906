"""Reading back what an API write put in the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django_tenants.utils import schema_context

from tenant_apps.audit.models import AuditEntry
from tests.tenants.factories import TenantHandle


@dataclass(frozen=True)
class Audited:
    target_type: str
    target_id: str
    summary: str
    # The snapshots as stored (plain JSON), typed loosely so tests can index into them.
    before: Any
    after: Any


def audit_entry(handle: TenantHandle, action: str) -> Audited:
    """The one entry `action` wrote in the restaurant (fails if there is none or several)."""
    with schema_context(handle.schema_name):
        entry = AuditEntry.objects.get(action=action)
    return Audited(entry.target_type, entry.target_id, entry.summary, entry.before, entry.after)
