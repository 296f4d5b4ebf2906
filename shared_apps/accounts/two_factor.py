"""Two-factor authentication for platform accounts (operators and support): TOTP + recovery codes.

Every platform login (the console's session and the platform API's token) checks a code here
after the password. An account without a confirmed TOTP device cannot log in on the platform
until an operator runs `operator reset-2fa EMAIL`, which prints a new provisioning URI and new
recovery codes once. Devices live in the public schema only (django-otp is a shared app).
Recovery codes are single use (django-otp's static tokens are deleted when spent).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from shared_apps.accounts.models import User

security = logging.getLogger("security")

RECOVERY_CODE_COUNT = 10
_TOTP_NAME = "authenticator"
_RECOVERY_NAME = "recovery codes"


@dataclass(frozen=True)
class Enrollment:
    """What the account holder needs once: the authenticator URI and the recovery codes."""

    totp_uri: str
    recovery_codes: list[str]


def _require_public_schema() -> None:
    from core.db import current_schema_name

    if current_schema_name() != "public":
        raise RuntimeError("two-factor devices exist for platform accounts only")


@transaction.atomic
def two_factor_enroll(*, user: User) -> Enrollment:
    """Replace the account's devices with a new TOTP secret and new recovery codes."""
    _require_public_schema()
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    totp = TOTPDevice.objects.create(user=user, name=_TOTP_NAME, confirmed=True)
    recovery = StaticDevice.objects.create(user=user, name=_RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=code) for code in codes)
    security.info("two-factor enrolled", extra={"user_id": user.pk})
    return Enrollment(totp_uri=str(totp.config_url), recovery_codes=codes)


def two_factor_enrolled(*, user: User) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def _clean(code: str) -> str:
    return re.sub(r"\s+", "", code or "").lower()


def two_factor_verify(*, user: User, code: str) -> bool:
    """True when `code` is the account's current TOTP code or an unused recovery code (which
    is then spent). django-otp throttles each device after failures (growing delays)."""
    _require_public_schema()
    code = _clean(code)
    if not code or len(code) > 16:
        return False
    with transaction.atomic():
        for device in TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True):
            if device.verify_token(code):
                return True
        for static in StaticDevice.objects.select_for_update().filter(user=user, confirmed=True):
            if static.verify_token(code):
                security.info("recovery code used", extra={"user_id": user.pk})
                return True
    security.warning("two-factor code refused", extra={"user_id": user.pk})
    return False
