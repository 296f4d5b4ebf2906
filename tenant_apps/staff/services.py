"""Writes to staff accounts and roles. Only the owner role manages staff (see permissions)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core.api_errors import Conflict
from core.cache import invalidate
from core.services import model_update
from shared_apps.accounts.models import User
from shared_apps.billing.limits import Limit, plan_limit_enforce
from tenant_apps.staff.models import Role
from tenant_apps.staff.permissions import (
    DEFAULT_ROLE_PERMISSIONS,
    OWNER,
    OWNER_ONLY_PERMISSIONS,
    PERMISSIONS,
    ROLE_NAMES,
    ROLES,
)
from tenants.models import Restaurant

STAFF_FIELDS = ("full_name", "role", "is_active")


def _validate_role(role: str) -> None:
    if role not in ROLES:
        raise ValidationError({"role": [f"Use one of {list(ROLES)}."]})


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc


def _require_owner_for(*, actor: User | None, touches_owner: bool) -> None:
    """Only an owner may create, promote or change an owner (finding: a manager given staff
    powers must not be able to make themselves or anyone an owner). `actor` None is the
    platform itself (onboarding, management commands)."""
    if touches_owner and actor is not None and getattr(actor, "role", "") != OWNER:
        raise PermissionDenied("Only an owner can create, promote or change an owner.")


@transaction.atomic
def staff_create(
    *,
    actor: User | None,
    email: str,
    role: str,
    full_name: str = "",
    password: str | None = None,
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
    return User.objects.create_user(email, password, role=role, full_name=full_name.strip())


def _seat_available() -> None:
    """An active account takes a seat of the plan (a 402 plan-limit problem when full)."""
    plan_limit_enforce(limit=Limit.STAFF_SEATS, in_use=User.objects.filter(is_active=True).count())


def _active_owner_count(*, excluding: int) -> int:
    return User.objects.filter(role=OWNER, is_active=True).exclude(pk=excluding).count()


@transaction.atomic
def staff_update(*, actor: User | None, user: User, changes: Mapping[str, Any]) -> User:
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
    model_update(instance=locked, fields=STAFF_FIELDS, data=changes)
    return locked


@transaction.atomic
def staff_set_password(*, actor: User | None, user: User, password: str) -> None:
    _require_owner_for(actor=actor, touches_owner=user.role == OWNER)
    _check_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])


@transaction.atomic
def role_update(*, code: str, permissions: Iterable[str]) -> Role:
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
    role.permissions = wanted
    role.save(update_fields=["permissions", "updated"])
    invalidate("settings")
    return role


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
