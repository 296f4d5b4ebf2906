"""Writes to the tenant registry: onboarding and lifecycle of restaurants."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone as dj_timezone
from django.utils.module_loading import import_string
from django_tenants.utils import schema_context

from core.actors import Actor
from core.cache import schema_cache_wipe
from core.db import use_public_schema
from core.platform_actions import platform_action_send
from shared_apps.accounts.services import password_setup_path
from tenants import schema_template
from tenants.host_cache import registry_changed
from tenants.models import Domain, Restaurant
from tenants.secrets import secrets_provision, secrets_purge

__all__ = [
    "LifecycleRefusedError",
    "OnboardingResult",
    "RegistryConflictError",
    "domain_add",
    "domain_remove",
    "restaurant_delete",
    "restaurant_onboard",
    "restaurant_purge",
    "restaurant_reactivate",
    "restaurant_rename",
    "restaurant_set_plan",
    "restaurant_suspend",
    "restaurants_purge_due",
    "run_tenant_initializers",
    "secrets_provision",
]
from tenants.schema_sql import schema_drop, schema_exists
from tenants.selectors import restaurant_primary_url
from tenants.validation import (
    normalize_hostname,
    normalize_slug,
    schema_name_for,
    validate_custom_domain,
    validate_slug_format,
)

logger = logging.getLogger(__name__)
audit = logging.getLogger("audit")

OWNER_ROLE = "owner"


NAME_MAX_LENGTH = 120


class RegistryConflictError(Exception):
    """The request is well-formed but clashes with the registry (a taken slug or domain)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


class LifecycleRefusedError(Exception):
    """A lifecycle step that is not allowed in the restaurant's current state."""


@dataclass(frozen=True)
class OnboardingResult:
    restaurant: Restaurant
    domain: Domain
    owner_id: int
    # One-time link for the owner to choose a password; None when a password was given.
    # Shown once to whoever onboarded the restaurant, never stored or logged.
    owner_setup_link: str | None = None


def run_tenant_initializers(restaurant: Restaurant) -> None:
    """Give a new schema its starting data; the caller has the restaurant's schema active."""
    for dotted_path in settings.DYSA_TENANT_INITIALIZERS:
        import_string(dotted_path)(restaurant=restaurant)


def _after_commit_registry_changed() -> None:
    transaction.on_commit(registry_changed)


# --- onboarding -----------------------------------------------------------------------------


def _free_schema_name(slug: str) -> str:
    """The slug's schema name, suffixed if a renamed restaurant still holds it."""
    base = schema_name_for(slug)
    candidate, n = base, 1
    while Restaurant.objects.filter(schema_name=candidate).exists() or schema_exists(candidate):
        n += 1
        candidate = f"{base}_{n}"
    return candidate


def _validate_new_restaurant(
    *, slug: str, name: str, owner_email: str, owner_password: str | None, password_policy: bool
) -> None:
    errors: dict[str, list[str]] = {}
    try:
        validate_slug_format(slug)
    except ValidationError as error:
        errors.update(error.message_dict)
    if not name.strip():
        errors["name"] = ["is required"]
    elif len(name.strip()) > NAME_MAX_LENGTH:
        errors["name"] = [f"is too long ({NAME_MAX_LENGTH} characters at most)"]
    try:
        validate_email(owner_email)
    except ValidationError:
        errors["owner_email"] = ["is not a valid email address"]
    if owner_password is not None and password_policy:
        try:
            validate_password(owner_password, get_user_model()(email=owner_email))
        except ValidationError as error:
            errors["owner_password"] = list(error.messages)
    if errors:
        raise ValidationError(errors)
    if (
        Restaurant.objects.filter(slug__iexact=slug).exists()
        or Domain.objects.filter(domain=f"{slug}.{settings.DYSA_BASE_DOMAIN}").exists()
    ):
        raise RegistryConflictError({"slug": [f"'{slug}' is already taken"]})


def _create_schema(restaurant: Restaurant, template: str | None) -> None:
    """A spare schema if one is ready, else a clone of the template, else run migrations."""
    if template is None:
        restaurant.create_schema(check_if_exists=True, verbosity=0)
        return
    if settings.DYSA_SPARE_SCHEMAS > 0:
        transaction.on_commit(_request_spare_refill)
        if schema_template.schema_take_spare(schema_name=restaurant.schema_name):
            return
    schema_template.schema_create_from_template(schema_name=restaurant.schema_name, sql=template)


def _request_spare_refill() -> None:
    try:
        # By name: the tasks module imports this one, and imports go one way (ADR 0008).
        current_app.send_task("tenants.tasks.spare_schemas_fill_task", retry=False)
    except Exception:
        logger.warning("could not queue the spare schema refill", exc_info=True)


def _create_owner(email: str, password: str | None) -> Any:
    return get_user_model().objects.create_user(
        email, password, role=OWNER_ROLE, full_name="", is_active=True
    )


def _current_template() -> str | None:
    try:
        return schema_template.template_sql()
    except schema_template.TemplateUnavailableError as error:
        logger.warning(
            "no schema template: creating the schema by migrating", extra={"reason": str(error)}
        )
        return None


def _email_owner_welcome(restaurant: Restaurant, *, owner_email: str, link: str) -> None:
    """Email the new owner their set-password link and the panel's address (sent after the
    onboarding transaction commits, so a failed onboarding emails nobody)."""
    from shared_apps.mail.services import email_send  # the mail app sits above the registry

    base = restaurant_primary_url(restaurant).rstrip("/")
    email_send(
        to=owner_email,
        template="owner_welcome",
        context={"restaurant": restaurant.name, "link": link, "panel": f"{base}/panel/"},
        language=restaurant.locale,
    )


def restaurant_onboard(
    *,
    slug: str,
    name: str,
    owner_email: str,
    owner_password: str | None = None,
    locale: str = Restaurant.Locale.SPANISH,
    timezone: str = "Europe/Madrid",
    currency: str = "EUR",
    plan: str = "",
    enforce_password_policy: bool = True,
    actor: Actor | None = None,
) -> OnboardingResult:
    """Create a restaurant, its domain, schema, secrets and owner account: all or nothing.

    The schema is a copy of the migrated template (see tenants.schema_template). Everything
    happens in one transaction, DDL included, so a failure at any step leaves no row, schema
    or secret behind. Without a password the owner gets a one-time set-password link.
    A given password must pass AUTH_PASSWORD_VALIDATORS unless `enforce_password_policy` is
    off (documented demo credentials only). Given an `actor`, the platform audit log records
    the onboarding (as every lifecycle write below).
    """
    slug = normalize_slug(slug)
    owner_email = owner_email.strip().lower()
    _validate_new_restaurant(
        slug=slug,
        name=name,
        owner_email=owner_email,
        owner_password=owner_password,
        password_policy=enforce_password_policy,
    )
    template = _current_template()  # may build and commit on its own connection: not in ours
    use_public_schema()
    try:
        with transaction.atomic():
            restaurant = Restaurant.objects.create(
                schema_name=_free_schema_name(slug),
                slug=slug,
                name=name.strip(),
                locale=locale,
                timezone=timezone,
                currency=currency,
                plan=plan,
            )
            domain = Domain.objects.create(
                domain=f"{slug}.{settings.DYSA_BASE_DOMAIN}", tenant=restaurant, is_primary=True
            )
            _create_schema(restaurant, template)
            # Before anyone can reach it: entries left under this schema name by a purged
            # restaurant (a purge while Redis was unreachable) are not this one's.
            schema_cache_wipe(schema_name=restaurant.schema_name)
            secrets_provision(schema_name=restaurant.schema_name)
            with schema_context(restaurant.schema_name):
                owner = _create_owner(owner_email, owner_password)
                run_tenant_initializers(restaurant)
                link = (
                    None
                    if owner_password is not None
                    else restaurant_primary_url(restaurant).rstrip("/")
                    + password_setup_path(user=owner)
                )
                if link is not None:
                    _email_owner_welcome(restaurant, owner_email=owner_email, link=link)
            platform_action_send(
                actor=actor,
                action="restaurant.onboard",
                restaurant_slug=slug,
                owner_email=owner_email,
                plan=plan,
            )
            _after_commit_registry_changed()
    except IntegrityError as error:
        # Lost a race with a concurrent onboarding of the same slug.
        raise RegistryConflictError({"slug": [f"'{slug}' is already taken"]}) from error
    finally:
        use_public_schema()
    audit.info("restaurant onboarded", extra={"slug": slug, "schema_name": restaurant.schema_name})
    return OnboardingResult(
        restaurant=restaurant, domain=domain, owner_id=owner.pk, owner_setup_link=link
    )


# --- lifecycle ------------------------------------------------------------------------------


def _refresh_for_update(restaurant: Restaurant) -> Restaurant:
    """The registry row, locked; the registry is written from the public schema only
    (a caller may have left a tenant's schema active, e.g. after serving a request)."""
    use_public_schema()
    locked: Restaurant = Restaurant.objects.select_for_update().get(pk=restaurant.pk)
    return locked


@transaction.atomic
def restaurant_suspend(
    *, restaurant: Restaurant, reason: str = "", actor: Actor | None = None
) -> Restaurant:
    """Hosts answer 503 (webhooks included, so providers retry later); data is kept."""
    restaurant = _refresh_for_update(restaurant)
    if restaurant.is_deleted:
        raise LifecycleRefusedError("a deleted restaurant cannot be suspended")
    if not restaurant.is_suspended:
        restaurant.status = Restaurant.Status.SUSPENDED
        restaurant.suspended_at = dj_timezone.now()
        restaurant.save(update_fields=["status", "suspended_at"])
        audit.info("restaurant suspended", extra={"slug": restaurant.slug, "reason": reason})
    platform_action_send(
        actor=actor, action="restaurant.suspend", restaurant_slug=restaurant.slug, reason=reason
    )
    _after_commit_registry_changed()
    return restaurant


@transaction.atomic
def restaurant_reactivate(*, restaurant: Restaurant, actor: Actor | None = None) -> Restaurant:
    """Back to active, from suspended or from a soft delete still in its grace period."""
    restaurant = _refresh_for_update(restaurant)
    if restaurant.status != Restaurant.Status.ACTIVE:
        restaurant.status = Restaurant.Status.ACTIVE
        restaurant.suspended_at = restaurant.deleted_at = restaurant.purge_after = None
        restaurant.save(update_fields=["status", "suspended_at", "deleted_at", "purge_after"])
        audit.info("restaurant reactivated", extra={"slug": restaurant.slug})
    platform_action_send(
        actor=actor, action="restaurant.reactivate", restaurant_slug=restaurant.slug
    )
    _after_commit_registry_changed()
    return restaurant


def _delete_refusal(restaurant: Restaurant, *, force: bool) -> str | None:
    """Why a delete must not go ahead, or None.

    Each DYSA_TENANT_DELETE_GUARDS entry is `fn(*, restaurant) -> str | None` (a reason to
    refuse), e.g. "no fresh verified backup". Without any guard there is nothing that shows the
    data is safe, so `force` is required; `force` also overrides guards.
    """
    if force:
        return None
    guards = settings.DYSA_TENANT_DELETE_GUARDS
    if not guards:
        return "deleting needs --force until a backup guard is configured"
    for dotted_path in guards:
        reason: str | None = import_string(dotted_path)(restaurant=restaurant)
        if reason:
            return str(reason)
    return None


@transaction.atomic
def restaurant_delete(
    *,
    restaurant: Restaurant,
    force: bool = False,
    grace: timedelta | None = None,
    actor: Actor | None = None,
) -> Restaurant:
    """Soft delete: unreachable at once, schema dropped after the grace period."""
    restaurant = _refresh_for_update(restaurant)
    refusal = _delete_refusal(restaurant, force=force)
    if refusal:
        raise LifecycleRefusedError(refusal)
    if not restaurant.is_deleted:
        now = dj_timezone.now()
        grace = (
            grace if grace is not None else timedelta(days=settings.DYSA_TENANT_DELETE_GRACE_DAYS)
        )
        restaurant.status = Restaurant.Status.DELETED
        restaurant.deleted_at = now
        restaurant.purge_after = now + grace
        restaurant.save(update_fields=["status", "deleted_at", "purge_after"])
        audit.info(
            "restaurant deleted",
            extra={"slug": restaurant.slug, "purge_after": restaurant.purge_after.isoformat()},
        )
    purge_after = restaurant.purge_after.isoformat() if restaurant.purge_after else None
    platform_action_send(
        actor=actor,
        action="restaurant.delete",
        restaurant_slug=restaurant.slug,
        force=force,
        purge_after=purge_after,
    )
    _after_commit_registry_changed()
    return restaurant


@transaction.atomic
def restaurant_purge(*, restaurant: Restaurant, actor: Actor | None = None) -> None:
    """Drop a soft-deleted restaurant's schema, secrets and registry rows, for good."""
    restaurant = _refresh_for_update(restaurant)
    if not restaurant.is_deleted:
        raise LifecycleRefusedError("only a deleted restaurant can be purged")
    schema_name = restaurant.schema_name
    schema_drop(schema_name)
    secrets_purge(schema_name=schema_name)
    # The schema name is free for the next restaurant with this slug: none of this one's
    # cache entries may pass to it.
    transaction.on_commit(lambda: schema_cache_wipe(schema_name=schema_name))
    restaurant.domains.all().delete()
    Restaurant.objects.filter(pk=restaurant.pk).delete()
    audit.info("restaurant purged", extra={"slug": restaurant.slug, "schema_name": schema_name})
    platform_action_send(actor=actor, action="restaurant.purge", restaurant_slug=restaurant.slug)
    _after_commit_registry_changed()


def restaurants_purge_due(
    *, progress: Callable[[int, int], None] | None = None, actor: Actor | None = None
) -> list[str]:
    """Purge every soft-deleted restaurant whose grace period is over; returns their slugs."""
    use_public_schema()
    due = list(
        Restaurant.objects.filter(
            status=Restaurant.Status.DELETED, purge_after__lte=dj_timezone.now()
        ).order_by("purge_after")
    )
    purged = []
    for index, restaurant in enumerate(due, start=1):
        restaurant_purge(restaurant=restaurant, actor=actor)
        purged.append(restaurant.slug)
        if progress is not None:
            progress(index, len(due))
    return purged


@transaction.atomic
def restaurant_rename(
    *, restaurant: Restaurant, new_slug: str, actor: Actor | None = None
) -> Restaurant:
    """Change the slug and its `<slug>.<base>` domain. The schema name stays: it is an internal
    identifier that secrets, tokens and backups refer to."""
    new_slug = normalize_slug(new_slug)
    validate_slug_format(new_slug)
    restaurant = _refresh_for_update(restaurant)
    if new_slug == restaurant.slug:
        return restaurant
    new_host = f"{new_slug}.{settings.DYSA_BASE_DOMAIN}"
    if (
        Restaurant.objects.filter(slug__iexact=new_slug).exists()
        or Domain.objects.filter(domain=new_host).exists()
    ):
        raise RegistryConflictError({"slug": [f"'{new_slug}' is already taken"]})
    old_host = f"{restaurant.slug}.{settings.DYSA_BASE_DOMAIN}"
    old_slug = restaurant.slug
    restaurant.slug = new_slug
    restaurant.save(update_fields=["slug"])
    was_primary = Domain.objects.filter(tenant=restaurant, domain=old_host, is_primary=True)
    primary = was_primary.exists()
    Domain.objects.filter(tenant=restaurant, domain=old_host).delete()
    Domain.objects.create(domain=new_host, tenant=restaurant, is_primary=primary)
    audit.info("restaurant renamed", extra={"slug": new_slug, "old_slug": old_slug})
    platform_action_send(
        actor=actor, action="restaurant.rename", restaurant_slug=old_slug, new_slug=new_slug
    )
    _after_commit_registry_changed()
    return restaurant


@transaction.atomic
def domain_add(
    *, restaurant: Restaurant, domain: str, primary: bool = False, actor: Actor | None = None
) -> Domain:
    """Add a custom domain (the restaurant points its DNS at us); optionally make it primary."""
    use_public_schema()
    hostname = normalize_hostname(domain)
    validate_custom_domain(hostname)
    if Domain.objects.filter(domain=hostname).exists():
        raise RegistryConflictError({"domain": [f"{hostname} is already in use"]})
    if primary:
        Domain.objects.filter(tenant=restaurant).update(is_primary=False)
    created: Domain = Domain.objects.create(domain=hostname, tenant=restaurant, is_primary=primary)
    audit.info("domain added", extra={"slug": restaurant.slug, "domain": hostname})
    platform_action_send(
        actor=actor,
        action="domain.add",
        restaurant_slug=restaurant.slug,
        domain=hostname,
        primary=primary,
    )
    _after_commit_registry_changed()
    return created


@transaction.atomic
def domain_remove(*, restaurant: Restaurant, domain: str, actor: Actor | None = None) -> None:
    """Remove a custom domain; the `<slug>.<base>` domain always stays."""
    use_public_schema()
    hostname = normalize_hostname(domain)
    found = Domain.objects.filter(tenant=restaurant, domain=hostname).first()
    if found is None:
        raise ValidationError({"domain": [f"{hostname} is not a domain of {restaurant.slug}"]})
    if hostname == f"{restaurant.slug}.{settings.DYSA_BASE_DOMAIN}":
        raise LifecycleRefusedError("the platform subdomain cannot be removed (rename the slug)")
    found.delete()
    if found.is_primary:
        Domain.objects.filter(
            tenant=restaurant, domain=f"{restaurant.slug}.{settings.DYSA_BASE_DOMAIN}"
        ).update(is_primary=True)
    audit.info("domain removed", extra={"slug": restaurant.slug, "domain": hostname})
    platform_action_send(
        actor=actor, action="domain.remove", restaurant_slug=restaurant.slug, domain=hostname
    )
    _after_commit_registry_changed()


def restaurant_set_plan(*, restaurant: Restaurant, plan: str) -> None:
    """Record the restaurant's billing plan code (by value: the billing app owns plans and
    calls this when a subscription starts or changes plan)."""
    if restaurant.plan != plan:
        Restaurant.objects.filter(pk=restaurant.pk).update(plan=plan)
        restaurant.plan = plan
