"""Helpers for platform accounts with two-factor in tests: the code an authenticator shows now."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from shared_apps.accounts.two_factor import Enrollment, two_factor_enroll


def current_code(user: Any) -> str:
    device = TOTPDevice.objects.get(user=user)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def platform_account(email: str, password: str, role: str = "operator") -> tuple[Any, Enrollment]:
    """A platform account (public schema must be active) enrolled in two-factor."""
    user = get_user_model().objects.create_user(email, password, role=role)
    return user, two_factor_enroll(user=user)
