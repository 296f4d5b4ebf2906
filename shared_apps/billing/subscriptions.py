"""Writes to subscriptions: the trial at onboarding, plan changes, cancellation, the payment
provider, and the renewal at each period end (rules in docs/billing.md).

- Upgrade (a dearer plan): at once; the rest of the period is invoiced at the price
  difference (proration). Downgrade (a cheaper plan): at the end of the period.
- Cancellation: at the end of the period; taking it back before then keeps the subscription.
- Operators' plan edits reach a subscription at its next period (its `terms` are copied from
  the plan when a period starts).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from shared_apps.billing.default_plans import DEFAULT_PLANS
from shared_apps.billing.events import SYSTEM, billing_event_record
from shared_apps.billing.models import Invoice, Plan, Subscription
from shared_apps.billing.terms import PlanTerms, add_months
from tenants.models import Restaurant
from tenants.services import restaurant_set_plan

Status = Subscription.Status
Provider = Subscription.Provider
CENT = Decimal("0.01")


class BillingConflictError(Exception):
    """A billing step that the subscription's state does not allow (a 409 at the API)."""


def plan_get(*, code: str) -> Plan:
    plan = Plan.objects.filter(code=code).first()
    if plan is None:
        plan = _default_plan_restored(code)
    if plan is None:
        raise ValidationError({"plan": [f"Unknown plan '{code}'."]})
    return plan


def _default_plan_restored(code: str) -> Plan | None:
    """One of the built-in plans, created again if its row is missing (a database restored
    without it, or test runs that empty the public tables); None for any other code."""
    for data in DEFAULT_PLANS:
        if data["code"] == code:
            plan, _ = Plan.objects.get_or_create(code=code, defaults=data)
            return plan
    return None


def _locked(subscription: Subscription) -> Subscription:
    locked: Subscription = (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("restaurant", "plan", "next_plan")
        .get(pk=subscription.pk)
    )
    return locked


def _owner_email() -> str:
    """The first owner's email in the active restaurant schema (onboarding just made one)."""
    owner = get_user_model().objects.filter(role="owner").order_by("pk").first()
    return str(owner.email) if owner is not None else ""


@transaction.atomic
def subscription_start_trial(
    *, restaurant: Restaurant, plan: Plan, billing_email: str, actor: str, now: datetime
) -> Subscription:
    """The restaurant's subscription, trialing `plan` for its trial days (idempotent)."""
    existing = Subscription.objects.filter(restaurant=restaurant).first()
    if existing is not None:
        return existing
    trial_end = now + timedelta(days=plan.trial_days)
    subscription = Subscription.objects.create(
        restaurant=restaurant,
        plan=plan,
        terms=PlanTerms.of(plan).to_json(),
        status=Status.TRIALING if plan.trial_days else Status.ACTIVE,
        country=settings.DYSA_BILLING_DEFAULT_COUNTRY,
        billing_email=billing_email,
        trial_ends_at=trial_end if plan.trial_days else None,
        current_period_start=now,
        current_period_end=trial_end if plan.trial_days else add_months(now),
    )
    restaurant_set_plan(restaurant=restaurant, plan=plan.code)
    billing_event_record(
        restaurant=restaurant,
        action="subscription.trial_started",
        actor=actor,
        plan=plan.code,
        trial_ends_at=trial_end.isoformat(),
    )
    return subscription


def subscription_initialize(*, restaurant: Restaurant) -> None:
    """Tenant initializer: onboarding starts a trial of the chosen plan (or the default).

    Runs inside onboarding's transaction with the new schema active; billing tables are in
    `public`, which stays on the search path. An unknown plan code fails the onboarding.
    """
    plan = plan_get(code=restaurant.plan or settings.DYSA_BILLING_DEFAULT_PLAN)
    subscription_start_trial(
        restaurant=restaurant,
        plan=plan,
        billing_email=_owner_email(),
        actor=SYSTEM,
        now=timezone.now(),
    )


@dataclass(frozen=True)
class PlanChange:
    subscription: Subscription
    applies_at: datetime
    proration: Invoice | None


def _proration_amount(subscription: Subscription, new_plan: Plan, now: datetime) -> Decimal:
    start, end = subscription.current_period_start, subscription.current_period_end
    remaining = max((end - now).total_seconds(), 0.0)
    share = Decimal(str(remaining / max((end - start).total_seconds(), 1.0)))
    old_price = PlanTerms.from_json(subscription.terms).monthly_price
    return ((Decimal(new_plan.monthly_price) - old_price) * share).quantize(
        CENT, rounding=ROUND_HALF_UP
    )


@transaction.atomic
def subscription_change_plan(
    *, subscription: Subscription, plan: Plan, actor: str, now: datetime | None = None
) -> PlanChange:
    """Upgrade at once (with a proration invoice), downgrade at the end of the period."""
    from shared_apps.billing.invoices import invoice_proration_create

    now = now or timezone.now()
    subscription = _locked(subscription)
    if subscription.status == Status.CANCELLED:
        raise BillingConflictError("A cancelled subscription cannot change plan.")
    old_terms = PlanTerms.from_json(subscription.terms)
    if plan.code == subscription.plan.code and subscription.next_plan is None:
        return PlanChange(subscription=subscription, applies_at=now, proration=None)
    downgrade = Decimal(plan.monthly_price) < old_terms.monthly_price
    if downgrade and subscription.status != Status.TRIALING:
        subscription.next_plan = plan
        subscription.save(update_fields=["next_plan", "updated"])
        billing_event_record(
            restaurant=subscription.restaurant,
            action="subscription.downgrade_scheduled",
            actor=actor,
            plan=plan.code,
            applies_at=subscription.current_period_end.isoformat(),
        )
        return PlanChange(
            subscription=subscription, applies_at=subscription.current_period_end, proration=None
        )
    proration = None
    amount = _proration_amount(subscription, plan, now)
    if subscription.status != Status.TRIALING and amount > 0:
        proration = invoice_proration_create(
            subscription=subscription, new_plan=plan, amount=amount, now=now
        )
    previous = subscription.plan.code
    subscription.plan = plan
    subscription.next_plan = None
    subscription.terms = PlanTerms.of(plan).to_json()
    subscription.stripe_sync_pending = subscription.payment_provider == Provider.STRIPE
    subscription.save(
        update_fields=["plan", "next_plan", "terms", "stripe_sync_pending", "updated"]
    )
    restaurant_set_plan(restaurant=subscription.restaurant, plan=plan.code)
    billing_event_record(
        restaurant=subscription.restaurant,
        action="subscription.plan_changed",
        actor=actor,
        plan=plan.code,
        previous_plan=previous,
        proration=str(amount) if proration else "0",
    )
    _sync_provider_on_commit(subscription)
    return PlanChange(subscription=subscription, applies_at=now, proration=proration)


@transaction.atomic
def subscription_cancel(
    *, subscription: Subscription, actor: str, cancel: bool = True
) -> Subscription:
    """Cancel at the end of the period (`cancel=False` takes a pending cancellation back)."""
    subscription = _locked(subscription)
    if subscription.status == Status.CANCELLED:
        raise BillingConflictError("The subscription is already cancelled.")
    if subscription.cancel_at_period_end != cancel:
        subscription.cancel_at_period_end = cancel
        subscription.save(update_fields=["cancel_at_period_end", "updated"])
        billing_event_record(
            restaurant=subscription.restaurant,
            action="subscription.cancel_scheduled" if cancel else "subscription.cancel_withdrawn",
            actor=actor,
            at=subscription.current_period_end.isoformat(),
        )
    return subscription


@transaction.atomic
def subscription_update(
    *,
    subscription: Subscription,
    actor: str,
    country: str | None = None,
    billing_email: str | None = None,
    payment_provider: str | None = None,
) -> Subscription:
    """Billing details and the payment provider. Switching to Stripe creates its customer and
    subscription right after commit; an unreachable Stripe is retried, never blocks."""
    subscription = _locked(subscription)
    changed: dict[str, str] = {}
    if country is not None and country.upper() != subscription.country:
        subscription.country = changed["country"] = country.upper()
    if billing_email is not None and billing_email != subscription.billing_email:
        subscription.billing_email = changed["billing_email"] = billing_email
    if payment_provider is not None and payment_provider != subscription.payment_provider:
        if payment_provider not in Provider.values:
            raise ValidationError({"payment_provider": [f"Use one of {Provider.values}."]})
        subscription.payment_provider = changed["payment_provider"] = payment_provider
        subscription.stripe_sync_pending = payment_provider == Provider.STRIPE
    if changed:
        subscription.save()
        billing_event_record(
            restaurant=subscription.restaurant,
            action="subscription.updated",
            actor=actor,
            **changed,
        )
        if "payment_provider" in changed:
            _sync_provider_on_commit(subscription)
    return subscription


def _sync_provider_on_commit(subscription: Subscription) -> None:
    """Once committed, bring Stripe up to date at once (retried by Celery if it fails)."""
    if subscription.payment_provider != Provider.STRIPE:
        return
    from shared_apps.billing.payments import subscription_stripe_sync_now

    subscription_id = subscription.pk
    transaction.on_commit(lambda: subscription_stripe_sync_now(subscription_id=subscription_id))


@transaction.atomic
def subscription_renew(*, subscription: Subscription, now: datetime) -> Invoice | None:
    """Close every period that has ended by `now`: invoice it (trials are free), then start
    the next one with the plan's current terms, a scheduled downgrade, or end a cancelled
    subscription. Idempotent: a period is invoiced once and closed once."""
    from shared_apps.billing.invoices import invoice_for_period

    subscription = _locked(subscription)
    invoice = None
    while subscription.status != Status.CANCELLED and subscription.current_period_end <= now:
        start, end = subscription.current_period_start, subscription.current_period_end
        if subscription.status != Status.TRIALING:
            invoice = invoice_for_period(
                subscription=subscription,
                period_start=start,
                period_end=end,
                terms=PlanTerms.from_json(subscription.terms),
            )
        if subscription.cancel_at_period_end:
            subscription.status = Status.CANCELLED
            subscription.save(update_fields=["status", "updated"])
            billing_event_record(
                restaurant=subscription.restaurant,
                action="subscription.cancelled",
                actor=SYSTEM,
                at=end.isoformat(),
            )
            break
        if subscription.next_plan is not None:
            subscription.plan = subscription.next_plan
            subscription.next_plan = None
            restaurant_set_plan(restaurant=subscription.restaurant, plan=subscription.plan.code)
        subscription.terms = PlanTerms.of(subscription.plan).to_json()
        if subscription.status == Status.TRIALING:
            subscription.status = Status.ACTIVE
        subscription.current_period_start = end
        subscription.current_period_end = add_months(end)
        subscription.save()
        billing_event_record(
            restaurant=subscription.restaurant,
            action="subscription.period_started",
            actor=SYSTEM,
            plan=subscription.plan.code,
            start=end.isoformat(),
            end=subscription.current_period_end.isoformat(),
        )
    return invoice


def subscriptions_due(*, now: datetime) -> list[int]:
    """Subscriptions with a period that has ended by `now`."""
    return list(
        Subscription.objects.exclude(status=Status.CANCELLED)
        .filter(current_period_end__lte=now)
        .values_list("pk", flat=True)
    )
