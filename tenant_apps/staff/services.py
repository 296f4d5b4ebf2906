"""Writes to staff accounts and roles. Only the owner role manages staff (see permissions)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core.actors import Actor, ActorKind
from core.api_errors import Conflict
from core.cache import invalidate
from core.db import current_schema_name
from core.services import model_update
from shared_apps.accounts.models import User
from shared_apps.billing.limits import Limit, plan_limit_enforce
from tenant_apps.audit.services import audit_record, snapshot, snapshot_diff
from tenant_apps.staff.models import Role
from tenant_apps.staff.permissions import (
    DEFAULT_ROLE_PERMISSIONS,
    OWNER,
    OWNER_ONLY_PERMISSIONS,
    PERMISSIONS,
    ROLE_NAMES,
    ROLES,
)
from tenants import secrets
from tenants.models import Restaurant

STAFF_FIELDS = ("full_name", "role", "is_active")
# What an audit entry shows of a staff account (never the password hash).
_AUDITED_USER_FIELDS = ("email", "full_name", "role", "is_active")


def _validate_role(role: str) -> None:
    if role not in ROLES:
        raise ValidationError({"role": [f"Use one of {list(ROLES)}."]})


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc


def _require_owner_for(*, actor: Actor, touches_owner: bool) -> None:
    """Only an owner may create, promote or change an owner (finding: a manager given staff
    powers must not be able to make themselves or anyone an owner). The platform itself
    (system and operator actors: onboarding, management commands) may."""
    platform = actor.kind in (ActorKind.SYSTEM, ActorKind.OPERATOR)
    if (
        touches_owner
        and not platform
        and not (actor.kind == ActorKind.STAFF and actor.role == OWNER)
    ):
        raise PermissionDenied("Only an owner can create, promote or change an owner.")


@transaction.atomic
def staff_create(
    *, actor: Actor, email: str, role: str, full_name: str = "", password: str | None = None
) -> User:
    """A staff account in this restaurant; without a password it cannot log in until one
    is set. `actor` is who asks (None: the platform)."""
    _validate_role(role)
    _require_owner_for(actor=actor, touches_owner=role == OWNER)
    email = User.objects.normalize_email(email.strip()).lower()
    if User.objects.filter(email=email).exists():
        raise ValidationError({"email": ["A staff account with this email already exists."]})
    user = User(email=email, role=role, full_name=full_name.strip())
    if password:
        _check_password(password, user)
    user.full_clean(exclude=["password"])
    _seat_available()
    created = User.objects.create_user(email, password, role=role, full_name=full_name.strip())
    audit_record(
        actor=actor,
        action="staff.user.create",
        target=created,
        after=snapshot(created, _AUDITED_USER_FIELDS),
    )
    return created


def _seat_available() -> None:
    """An active account takes a seat of the plan (a 402 plan-limit problem when full)."""
    plan_limit_enforce(limit=Limit.STAFF_SEATS, in_use=User.objects.filter(is_active=True).count())


def _active_owner_count(*, excluding: int) -> int:
    return User.objects.filter(role=OWNER, is_active=True).exclude(pk=excluding).count()


@transaction.atomic
def staff_update(*, actor: Actor, user: User, changes: Mapping[str, Any]) -> User:
    if "role" in changes:
        _validate_role(str(changes["role"]))
    locked = User.objects.select_for_update().get(pk=user.pk)
    _require_owner_for(actor=actor, touches_owner=OWNER in (locked.role, changes.get("role")))
    loses_owner = (
        locked.role == OWNER
        and locked.is_active
        and (changes.get("role", OWNER) != OWNER or changes.get("is_active", True) is False)
    )
    # Lock every active owner so two owners cannot demote each other at once.
    if loses_owner and not list(
        User.objects.select_for_update().filter(role=OWNER, is_active=True).exclude(pk=locked.pk)
    ):
        raise Conflict("A restaurant needs at least one active owner.")
    if changes.get("is_active") is True and not locked.is_active:
        _seat_available()
    before = snapshot(locked, _AUDITED_USER_FIELDS)
    model_update(instance=locked, fields=STAFF_FIELDS, data=changes)
    old, new = snapshot_diff(before, snapshot(locked, _AUDITED_USER_FIELDS))
    audit_record(actor=actor, action="staff.user.update", target=locked, before=old, after=new)
    return locked


@transaction.atomic
def staff_set_password(*, actor: Actor, user: User, password: str) -> None:
    _require_owner_for(actor=actor, touches_owner=user.role == OWNER)
    _check_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(
        actor=actor,
        action="staff.user.password",
        target=user,
        summary=f"Password set for {user.email}",
    )


@transaction.atomic
def role_update(*, actor: Actor, code: str, permissions: Iterable[str]) -> Role:
    """Change what a non-owner role may do."""
    if code == OWNER:
        raise Conflict("The owner role always holds every permission.")
    _validate_role(code)
    wanted = sorted(set(permissions))
    unknown = [name for name in wanted if name not in PERMISSIONS]
    if unknown:
        raise ValidationError({"permissions": [f"Unknown permission(s): {unknown}."]})
    owner_only = [name for name in wanted if name in OWNER_ONLY_PERMISSIONS]
    if owner_only:
        raise ValidationError(
            {"permissions": [f"Only the owner can hold {owner_only}; they cannot be delegated."]}
        )
    role, _ = Role.objects.get_or_create(code=code, defaults={"name": ROLE_NAMES[code]})
    before = {"permissions": sorted(role.permissions)}
    role.permissions = wanted
    role.save(update_fields=["permissions", "updated"])
    invalidate("settings")
    audit_record(
        actor=actor,
        action="staff.role.update",
        target=role,
        before=before,
        after={"permissions": wanted},
    )
    return role


@transaction.atomic
def api_key_create(*, actor: Actor, name: str) -> tuple[int, str]:
    """An integration key for this restaurant: (id, plaintext shown once)."""
    schema_name = current_schema_name()
    key_id, plaintext = secrets.api_key_create(schema_name=schema_name, name=name)
    key = next(k for k in secrets.api_key_list(schema_name=schema_name) if k.pk == key_id)
    audit_record(
        actor=actor,
        action="staff.api_key.create",
        target_type="tenants.apikey",
        target_id=key_id,
        after={"id": key.pk, "name": key.name, "prefix": key.prefix},
        summary=f"API key {key.name} ({key.prefix})",
    )
    return key_id, plaintext


@transaction.atomic
def api_key_revoke(*, actor: Actor, key_id: int) -> bool:
    """Revoke an active key of this restaurant; False when there is none with that id."""
    if not secrets.api_key_revoke(schema_name=current_schema_name(), key_id=key_id):
        return False
    audit_record(
        actor=actor, action="staff.api_key.revoke", target_type="tenants.apikey", target_id=key_id
    )
    return True


def roles_initialize(*, restaurant: Restaurant) -> None:
    """Tenant initializer: the four roles with their default permissions."""
    for code in ROLES:
        Role.objects.get_or_create(
            code=code,
            defaults={
                "name": ROLE_NAMES[code],
                "permissions": sorted(DEFAULT_ROLE_PERMISSIONS[code]),
            },
        )
    invalidate("settings")
