"""Account writes and the credential check shared by both schemas (the user table of the
active schema)."""

from __future__ import annotations

import logging

from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import HttpRequest
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from rest_framework import exceptions

from core.actors import Actor
from core.db import current_schema_name
from core.hosts import platform_url
from core.platform_actions import platform_action_send
from shared_apps.accounts.login_limits import (
    LoginThrottledError,
    login_account_check,
    login_failed,
    login_ip_check,
    login_succeeded,
)
from shared_apps.accounts.models import User
from shared_apps.accounts.two_factor import Enrollment, two_factor_enroll, two_factor_verify

security = logging.getLogger("security")

PLATFORM_ROLES = ("operator", "support")
SET_PASSWORD_PATH = "/account/set-password/{uid}/{token}/"  # noqa: S105 - a URL pattern


def user_authenticate(
    *, request: HttpRequest, email: str, password: str, event: str = "login"
) -> User:
    """The active user of the current schema with this email and password, or a 401.

    Both login endpoints (API tokens and the panel's session) check credentials here so they
    answer alike. The failure does not say which of the two was wrong, and Django's
    ModelBackend hashes the password even for an unknown email, so neither the answer nor
    its timing tells whether an account exists. `event` names a failed attempt in the
    security log; the caller logs the success, after the session it starts (if any), so the
    line carries the logged-in user. Raises DRF's AuthenticationFailed: the views answer it
    with their own challenge.
    """
    try:
        login_ip_check(request)
        login_account_check(request, email=email)
    except LoginThrottledError as throttled:
        raise exceptions.Throttled(wait=throttled.wait) from None
    user = authenticate(request, email=email.lower(), password=password)
    if not isinstance(user, User):  # that is, None: User is the only user model
        security.warning("%s failed", event)
        login_failed(email=email)
        raise exceptions.AuthenticationFailed("Invalid email or password.")
    login_succeeded(email=email)
    return user


SECOND_FACTOR_STEP = "otp"


def user_second_factor_check(*, request: HttpRequest, user: User, code: str) -> None:
    """The two-factor step of a platform login (console and platform API token), after
    `user_authenticate`: counted per client address and per account like passwords (login
    limits: a guesser is slowed, never the owner locked out). Raises DRF's Throttled or
    AuthenticationFailed."""
    try:
        login_ip_check(request)
        login_account_check(request, email=user.email, step=SECOND_FACTOR_STEP)
    except LoginThrottledError as throttled:
        raise exceptions.Throttled(wait=throttled.wait) from None
    if not two_factor_verify(user=user, code=code):
        login_failed(email=user.email, step=SECOND_FACTOR_STEP)
        raise exceptions.AuthenticationFailed("Invalid email, password or code.")
    login_succeeded(email=user.email, step=SECOND_FACTOR_STEP)


def password_setup_path(*, user: User) -> str:
    """Path of a one-time link to choose a password, valid PASSWORD_RESET_TIMEOUT seconds.

    One-time because Django's token covers the password hash: setting a password spends it.
    """
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return SET_PASSWORD_PATH.format(uid=uid, token=default_token_generator.make_token(user))


def _user_for_link(uidb64: str, token: str) -> User | None:
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (ValueError, TypeError, OverflowError):
        return None
    user = get_user_model().objects.filter(pk=pk, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user


def password_link_valid(*, uidb64: str, token: str) -> bool:
    return _user_for_link(uidb64, token) is not None


@transaction.atomic
def user_password_set_with_token(*, uidb64: str, token: str, password: str) -> User:
    """Spend a set-password link; ValidationError if it is invalid, used or expired."""
    user = _user_for_link(uidb64, token)
    if user is None:
        raise ValidationError({"token": ["this link is invalid, expired or already used"]})
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    security.info("password set from link", extra={"user_id": user.pk})
    return user


@transaction.atomic
@transaction.atomic
def operator_create(
    *,
    email: str,
    role: str,
    password: str | None = None,
    full_name: str = "",
    actor: Actor | None = None,
) -> tuple[User, str | None]:
    """A platform account (public schema): `operator` runs the platform, `support` helps
    restaurants. Returns the user and, without a password, a one-time set-password link.
    Given an `actor`, the platform audit log records it."""
    if current_schema_name() != "public":
        raise RuntimeError("operator accounts live in the public schema")
    email = email.strip().lower()
    errors: dict[str, list[str]] = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = ["is not a valid email address"]
    if role not in PLATFORM_ROLES:
        errors["role"] = [f"must be one of {', '.join(PLATFORM_ROLES)}"]
    if password is not None:
        try:
            validate_password(password, get_user_model()(email=email))
        except ValidationError as error:
            errors["password"] = list(error.messages)
    if not errors and get_user_model().objects.filter(email=email).exists():
        errors["email"] = ["an account with this email already exists"]
    if errors:
        raise ValidationError(errors)
    user = get_user_model().objects.create_user(
        email, password, role=role, full_name=full_name.strip()
    )
    security.info("operator account created", extra={"user_id": user.pk, "role": role})
    platform_action_send(actor=actor, action="account.create", email=user.email, role=role)
    link = None if password else platform_url().rstrip("/") + password_setup_path(user=user)
    return user, link


@transaction.atomic
def operator_two_factor_reset(*, user: User, actor: Actor | None = None) -> Enrollment:
    """A new authenticator secret and recovery codes for a platform account (the old ones
    stop working); the caller shows them once."""
    enrollment = two_factor_enroll(user=user)
    platform_action_send(actor=actor, action="account.reset_2fa", email=user.email)
    return enrollment
