"""The support session on a restaurant host: who support acts as, and what a request may do.

Support staff have no account in the restaurant's schema. Entering with a valid link logs the
browser in as one placeholder account per support person (unusable password, so it can never
log in by itself; role `viewer`, or `manager` when the owner allows support to write) and
remembers the access in the session. `SupportAccessMiddleware` checks the access on every
request: once it has expired or been ended, the session ends with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model

from shared_apps.accounts.models import User
from shared_apps.support.models import SupportAccess

SESSION_KEY = "support_access_id"
READ_ROLE = "viewer"
WRITE_ROLE = "manager"


@dataclass(frozen=True)
class SupportAccessContext:
    """What the panel sees as `request.support_access` (it shows a banner while it is set)."""

    id: int
    support_email: str
    reason: str
    expires_at: datetime
    can_write: bool


PLACEHOLDER_DOMAIN = "support.dysa.invalid"


def support_user_retire(*, user: object) -> None:
    """Deactivate a support placeholder once its access is over, so it holds no staff seat
    (billing counts active accounts) between visits."""
    email = str(getattr(user, "email", ""))
    if email.endswith(f"@{PLACEHOLDER_DOMAIN}"):
        get_user_model().objects.filter(email=email).update(is_active=False)


def support_user_for(*, access: SupportAccess) -> User:
    """The placeholder account in the current (restaurant) schema for this support person."""
    email = f"support.{access.support_user_id or 0}@{PLACEHOLDER_DOMAIN}"
    role = WRITE_ROLE if access.can_write else READ_ROLE
    user, created = get_user_model().objects.get_or_create(
        email=email, defaults={"role": role, "full_name": "dysa support"}
    )
    if created:
        user.set_unusable_password()
    user.role = role
    user.is_active = True
    user.save()
    return user


def support_user_act(*, user: object, can_write: bool) -> None:
    """Let the placeholder act, for this request, with the role of its access's current grant
    (the owner may grant or take back write access while support is inside). Only the request's
    user object changes: the stored role stays the one it entered with, since changing it would
    end the session (the session hash covers the role)."""
    if str(getattr(user, "email", "")).endswith(f"@{PLACEHOLDER_DOMAIN}"):
        user.role = WRITE_ROLE if can_write else READ_ROLE  # type: ignore[attr-defined]
