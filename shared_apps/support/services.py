"""Support writes: access to a restaurant's panel (reason, time limit, write grant) and its log.

Every access is a `SupportAccess` row written before anything of the restaurant is shown; the
restaurant host (tenant_apps.support_access) turns a signed, short-lived entry link into a
panel session flagged as support and records what is viewed or done as `SupportAccessEvent`s.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from shared_apps.accounts.models import User
from shared_apps.platform_audit.services import platform_audit_record
from shared_apps.support.models import SupportAccess, SupportAccessEvent, SupportWriteGrant
from tenants.models import Restaurant
from tenants.selectors import restaurant_primary_url

ENTRY_SALT = "support-access-entry"
ENTRY_LINK_SECONDS = 120
ENTRY_PATH = "/support-access/enter/{token}/"
MIN_REASON_LENGTH = 10


def support_write_enabled(*, restaurant_id: int) -> bool:
    return SupportWriteGrant.objects.filter(restaurant_id=restaurant_id, enabled=True).exists()


@transaction.atomic
def support_access_open(
    *, support_user: User, restaurant: Restaurant, reason: str, minutes: int | None = None
) -> SupportAccess:
    """Open a time-limited access to `restaurant`; write access only if its owner allows it."""
    reason = " ".join((reason or "").split())
    minutes = settings.DYSA_SUPPORT_ACCESS_MINUTES if minutes is None else minutes
    errors: dict[str, list[str]] = {}
    if len(reason) < MIN_REASON_LENGTH:
        errors["reason"] = [f"say why, in at least {MIN_REASON_LENGTH} characters"]
    if not 1 <= minutes <= settings.DYSA_SUPPORT_ACCESS_MAX_MINUTES:
        errors["minutes"] = [f"between 1 and {settings.DYSA_SUPPORT_ACCESS_MAX_MINUTES}"]
    if restaurant.status != Restaurant.Status.ACTIVE:
        errors["restaurant"] = ["only an active restaurant can be accessed"]
    if errors:
        raise ValidationError(errors)
    access = SupportAccess.objects.create(
        restaurant=restaurant,
        support_user=support_user,
        support_email=support_user.email,
        reason=reason[:500],
        can_write=support_write_enabled(restaurant_id=restaurant.pk),
        expires_at=timezone.now() + timedelta(minutes=minutes),
    )
    platform_audit_record(
        actor=support_user,
        action="support.access_opened",
        restaurant_slug=restaurant.slug,
        detail={"access": access.pk, "minutes": minutes, "can_write": access.can_write},
    )
    return access


def support_access_entry_url(*, access: SupportAccess) -> str:
    """A signed link on the restaurant's host that starts the support session (single use,
    valid ENTRY_LINK_SECONDS)."""
    token = signing.dumps({"access": access.pk}, salt=ENTRY_SALT)
    return restaurant_primary_url(access.restaurant).rstrip("/") + ENTRY_PATH.format(token=token)


def support_access_active(*, access_id: int, restaurant_id: int) -> SupportAccess | None:
    """The access if it is for this restaurant and still running, else None."""
    return (
        SupportAccess.objects.filter(
            pk=access_id,
            restaurant_id=restaurant_id,
            ended_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("restaurant")
        .first()
    )


@transaction.atomic
def support_access_enter(*, token: str, restaurant_id: int) -> SupportAccess | None:
    """Spend an entry link on the restaurant it was made for; None if invalid, used, expired
    or for another restaurant (the caller answers 404 for all of them alike)."""
    try:
        payload = signing.loads(token, salt=ENTRY_SALT, max_age=ENTRY_LINK_SECONDS)
    except signing.BadSignature:
        return None
    access = (
        SupportAccess.objects.select_for_update()
        .filter(
            pk=payload.get("access"),
            restaurant_id=restaurant_id,
            entered_at__isnull=True,
            ended_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .first()
    )
    if access is None:
        return None
    access.entered_at = timezone.now()
    access.save(update_fields=["entered_at"])
    return access


def support_access_end(*, access: SupportAccess) -> None:
    SupportAccess.objects.filter(pk=access.pk, ended_at__isnull=True).update(
        ended_at=timezone.now()
    )


def support_access_event_record(
    *, access_id: int, method: str, path: str, allowed: bool
) -> SupportAccessEvent:
    return SupportAccessEvent.objects.create(
        access_id=access_id, method=method[:8], path=path[:300], allowed=allowed
    )


@transaction.atomic
def support_access_write_change(
    *, access_id: int, restaurant_id: int, can_write: bool
) -> SupportAccess | None:
    """The owner's grant for one case: let this access (of this restaurant only; None for
    another's) change things, or take that back. An access that is over cannot change."""
    access = (
        SupportAccess.objects.select_for_update()
        .filter(pk=access_id, restaurant_id=restaurant_id)
        .first()
    )
    if access is None:
        return None
    if access.ended_at is not None or access.expires_at <= timezone.now():
        raise ValidationError({"write_access": ["this access is over"]})
    access.can_write = can_write
    access.save(update_fields=["can_write"])
    return access


@transaction.atomic
def support_write_set(
    *, restaurant_id: int, enabled: bool, changed_by_email: str
) -> SupportWriteGrant:
    """The owner's switch. Turning it off also takes write access from running accesses."""
    grant, _ = SupportWriteGrant.objects.update_or_create(
        restaurant_id=restaurant_id,
        defaults={"enabled": enabled, "changed_by_email": changed_by_email},
    )
    if not enabled:
        SupportAccess.objects.filter(restaurant_id=restaurant_id, can_write=True).update(
            can_write=False
        )
    return grant
