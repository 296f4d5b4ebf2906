"""Operator actions from the console: each runs the platform's own service (same rules as the
CLI and the API) and writes its platform audit entry in the same transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from core.actors import Actor
from shared_apps.accounts.models import User
from shared_apps.accounts.services import operator_create, operator_two_factor_reset
from shared_apps.accounts.two_factor import Enrollment, two_factor_enroll
from shared_apps.backups.models import BackupRecord
from shared_apps.backups.services import (
    RestoreResult,
    backup_create,
    backup_restore,
    backup_source_for,
    backup_verify,
)
from shared_apps.billing.events import operator_actor
from shared_apps.billing.invoices import invoice_mark_paid, invoice_void
from shared_apps.billing.models import Invoice, Plan
from shared_apps.billing.plans import plan_update
from shared_apps.platform_audit.services import platform_audit_record
from tenants import services
from tenants.models import Restaurant

# Registry writes: the tenants' services record their own platform audit entry, given the
# operator as actor (the same way for the CLI's user).


def console_suspend(*, actor: User, restaurant: Restaurant, reason: str) -> Restaurant:
    return services.restaurant_suspend(
        restaurant=restaurant, reason=reason, actor=Actor.platform(actor)
    )


def console_reactivate(*, actor: User, restaurant: Restaurant) -> Restaurant:
    return services.restaurant_reactivate(restaurant=restaurant, actor=Actor.platform(actor))


def console_delete(*, actor: User, restaurant: Restaurant, confirmation: str) -> Restaurant:
    """Delete under the usual rules (a fresh verified backup, see DYSA_TENANT_DELETE_GUARDS);
    the operator must type the restaurant's slug."""
    if confirmation.strip() != restaurant.slug:
        raise services.LifecycleRefusedError("type the restaurant's slug exactly to confirm")
    return services.restaurant_delete(restaurant=restaurant, actor=Actor.platform(actor))


def console_onboard(*, actor: User, fields: dict[str, Any]) -> services.OnboardingResult:
    return services.restaurant_onboard(**fields, actor=Actor.platform(actor))


def console_backup(*, actor: User, restaurant: Restaurant) -> BackupRecord:
    return backup_create(schema_name=restaurant.schema_name, actor=Actor.platform(actor))


def console_backup_verify(*, actor: User, record: BackupRecord) -> BackupRecord:
    return backup_verify(record=record, actor=Actor.platform(actor))


def console_backup_restore(*, actor: User, record: BackupRecord) -> RestoreResult:
    """Restore into a new schema beside the live one (never in place from the console)."""
    return backup_restore(source=backup_source_for(record), actor=Actor.platform(actor))


def console_account_create(
    *, actor: User, email: str, role: str, password: str | None
) -> tuple[User, Enrollment, str | None]:
    with transaction.atomic():
        user, link = operator_create(
            email=email, role=role, password=password, actor=Actor.platform(actor)
        )
        enrollment = two_factor_enroll(user=user)
    return user, enrollment, link


def console_account_reset_2fa(*, actor: User, user: User) -> Enrollment:
    return operator_two_factor_reset(user=user, actor=Actor.platform(actor))


def console_plan_update(*, actor: User, plan: Plan, fields: dict[str, Any]) -> Plan:
    with transaction.atomic():
        plan = plan_update(plan=plan, actor=operator_actor(actor.email), **fields)
        platform_audit_record(
            actor=actor,
            action="billing.plan_update",
            detail={"plan": plan.code, **{name: str(value) for name, value in fields.items()}},
        )
    return plan


def console_invoice_mark_paid(*, actor: User, invoice: Invoice) -> Invoice:
    with transaction.atomic():
        invoice = invoice_mark_paid(invoice=invoice, actor=operator_actor(actor.email))
        platform_audit_record(
            actor=actor,
            action="billing.invoice_mark_paid",
            restaurant_slug=invoice.restaurant_slug,
            detail={"invoice": invoice.pk, "number": invoice.display_number},
        )
    return invoice


def console_invoice_void(*, actor: User, invoice: Invoice, reason: str) -> Invoice:
    with transaction.atomic():
        invoice = invoice_void(invoice=invoice, actor=operator_actor(actor.email), reason=reason)
        platform_audit_record(
            actor=actor,
            action="billing.invoice_void",
            restaurant_slug=invoice.restaurant_slug,
            detail={"invoice": invoice.pk, "number": invoice.display_number, "reason": reason},
        )
    return invoice
