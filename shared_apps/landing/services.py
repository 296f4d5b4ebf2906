"""Self-service signup: a restaurant through the onboarding service, kept suspended until its
owner verifies the email address (and, when DYSA_SIGNUP_REQUIRES_APPROVAL is on, until an
operator approves it), then a one-time link logs the owner in on the restaurant's own host."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from core.hosts import platform_url
from shared_apps.landing.models import Signup
from shared_apps.mail.services import email_send
from shared_apps.platform_audit.services import platform_audit_record
from tenants.models import Restaurant
from tenants.selectors import restaurant_get, restaurant_primary_url
from tenants.services import (
    RegistryConflictError,
    restaurant_onboard,
    restaurant_reactivate,
    restaurant_suspend,
)
from tenants.validation import normalize_slug, validate_slug_format

audit = logging.getLogger("audit")

VERIFY_SALT = "signup-verify"
WELCOME_SALT = "signup-welcome"
VERIFY_SECONDS = 3 * 24 * 3600
WELCOME_SECONDS = 300
UNVERIFIED_REASON = "signup: email not verified yet"
APPROVAL_REASON = "signup: awaiting operator approval"

# Words a restaurant address may not contain (any language we serve); extend as needed.
OFFENSIVE_WORDS = ("fuck", "shit", "puta", "mierda", "nazi", "porn", "cabron", "cunt")
# Addresses that impersonate the platform.
IMPERSONATING = ("dysa", "admin", "support", "soporte", "login", "billing", "security")


def slug_problem(raw: str) -> str | None:
    """Why this address cannot be taken, or None if it is free (used live while typing)."""
    slug = normalize_slug(raw)
    try:
        validate_slug_format(slug)
    except ValidationError as error:
        return " ".join(error.message_dict.get("slug", error.messages))
    if any(word in slug.replace("-", "") for word in OFFENSIVE_WORDS):
        return "this address is not allowed"
    if any(slug == word or slug.startswith(f"{word}-") for word in IMPERSONATING):
        return "this address is reserved"
    if restaurant_get(slug=slug) is not None:
        return "this address is taken"
    return None


def email_problem(email: str) -> str | None:
    domain = email.rsplit("@", 1)[-1].strip().lower()
    disposable = {d.strip().lower() for d in settings.DYSA_SIGNUP_DISPOSABLE_DOMAINS if d.strip()}
    if domain in disposable or any(domain.endswith(f".{d}") for d in disposable):
        return "use a permanent email address"
    return None


@dataclass(frozen=True)
class SignupInput:
    name: str
    slug: str
    owner_email: str
    owner_password: str
    country: str
    timezone: str
    currency: str
    language: str


def signup_create(*, data: SignupInput, client_ip: str | None) -> Signup:
    """Onboard the restaurant (suspended until the email is verified) and email the link."""
    if not settings.DYSA_SIGNUP_ENABLED:
        raise ValidationError({"__all__": ["signup is closed"]})
    errors: dict[str, list[str]] = {}
    problem = slug_problem(data.slug)
    if problem:
        errors["slug"] = [problem]
    problem = email_problem(data.owner_email)
    if problem:
        errors["owner_email"] = [problem]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        try:
            result = restaurant_onboard(
                slug=normalize_slug(data.slug),
                name=data.name.strip(),
                owner_email=data.owner_email,
                owner_password=data.owner_password,
                locale=data.language if data.language in Restaurant.Locale.values else "es",
                timezone=data.timezone,
                currency=data.currency.upper(),
            )
        except RegistryConflictError as conflict:  # taken meanwhile by someone else
            raise ValidationError(conflict.errors) from None
        restaurant = restaurant_suspend(restaurant=result.restaurant, reason=UNVERIFIED_REASON)
        signup = Signup.objects.create(
            restaurant=restaurant,
            owner_email=data.owner_email.strip().lower(),
            country=data.country.upper()[:2],
            client_ip=client_ip or None,
        )
        platform_audit_record(
            actor=None, action="signup.create", restaurant_slug=restaurant.slug,
            detail={"owner_email": signup.owner_email, "country": signup.country},
        )  # fmt: skip
        token = signing.dumps({"signup": signup.pk}, salt=VERIFY_SALT)
        email_send(
            to=signup.owner_email,
            template="signup_verify",
            context={
                "name": restaurant.name,
                "link": platform_url().rstrip("/") + f"/signup/verify/{token}/",
            },
            language=restaurant.locale,
        )
    return signup


@transaction.atomic
def signup_verify(*, token: str) -> Signup | None:
    """Spend the emailed link: the restaurant goes live, unless signups need approval."""
    try:
        payload = signing.loads(token, salt=VERIFY_SALT, max_age=VERIFY_SECONDS)
    except signing.BadSignature:
        return None
    signup = (
        Signup.objects.select_for_update()
        .select_related("restaurant")
        .filter(pk=payload.get("signup"))
        .first()
    )
    if signup is None or signup.restaurant.status == Restaurant.Status.DELETED:
        return None
    if signup.verified_at is None:
        signup.verified_at = timezone.now()
        if settings.DYSA_SIGNUP_REQUIRES_APPROVAL:
            signup.awaiting_approval = True
            restaurant_suspend(restaurant=signup.restaurant, reason=APPROVAL_REASON)
        else:
            signup.restaurant = restaurant_reactivate(restaurant=signup.restaurant)
        signup.save(update_fields=["verified_at", "awaiting_approval"])
        platform_audit_record(
            actor=None, action="signup.verified", restaurant_slug=signup.restaurant.slug
        )
    return signup


def signup_welcome_url(*, signup: Signup) -> str:
    """A one-time link on the restaurant's host that logs the owner in (WELCOME_SECONDS)."""
    token = signing.dumps({"signup": signup.pk}, salt=WELCOME_SALT)
    return restaurant_primary_url(signup.restaurant).rstrip("/") + f"/welcome/{token}/"


@transaction.atomic
def signup_welcome(*, token: str, restaurant_id: int) -> object | None:
    """Spend a welcome link on its own restaurant's host: the owner account to log in (in the
    restaurant's schema), or None if the link is bad, used, expired or for another host."""
    try:
        payload = signing.loads(token, salt=WELCOME_SALT, max_age=WELCOME_SECONDS)
    except signing.BadSignature:
        return None
    signup = (
        Signup.objects.select_for_update()
        .select_related("restaurant")
        .filter(
            pk=payload.get("signup"),
            restaurant_id=restaurant_id,
            welcomed_at__isnull=True,
            verified_at__isnull=False,
        )
        .first()
    )
    if signup is None or signup.restaurant.status != Restaurant.Status.ACTIVE:
        return None
    signup.welcomed_at = timezone.now()
    signup.save(update_fields=["welcomed_at"])
    with schema_context(signup.restaurant.schema_name):
        return get_user_model().objects.filter(email=signup.owner_email, is_active=True).first()


_SLUG_CHARS = re.compile(r"[^a-z0-9-]+")


def slug_suggestion(name: str) -> str:
    """An address to propose from a restaurant name ("Casa Pepa" -> "casa-pepa")."""
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return _SLUG_CHARS.sub("-", ascii_name).strip("-")[:40]
