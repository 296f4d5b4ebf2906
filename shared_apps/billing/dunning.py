"""Dunning: a subscription that does not pay becomes past due, its owner gets reminders, and
after the grace period (DYSA_BILLING_GRACE_DAYS) the restaurant is suspended through the
tenants lifecycle service. Paying (or an operator voiding what was owed) makes it active
again and reactivates a restaurant that billing suspended. Every step is a BillingEvent.

Past due starts when a payment fails (Stripe) or when an open invoice passes its due date
(the manual provider).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from shared_apps.billing.events import SYSTEM, billing_event_record
from shared_apps.billing.models import Invoice, Subscription
from shared_apps.mail.services import email_send
from tenants.models import Restaurant
from tenants.services import restaurant_reactivate, restaurant_suspend

Status = Subscription.Status


def _email(subscription: Subscription, template: str, **context: str) -> None:
    if not subscription.billing_email:
        return
    restaurant = subscription.restaurant
    email_send(
        to=subscription.billing_email,
        template=template,
        context={"restaurant": restaurant.name, **context},
        language=restaurant.locale,
    )


def _owed(subscription: Subscription, now: datetime) -> list[Invoice]:
    """Open invoices that make the subscription past due: overdue or with a failed payment."""
    return list(
        Invoice.objects.filter(subscription=subscription, status=Invoice.Status.OPEN).filter(
            Q(due_at__lte=now) | Q(payment_attempts__gt=0)
        )
    )


def _locked(subscription: Subscription) -> Subscription:
    locked: Subscription = (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("restaurant")
        .get(pk=subscription.pk)
    )
    return locked


@transaction.atomic
def subscription_mark_past_due(
    *, subscription: Subscription, actor: str, invoice: Invoice, at: datetime | None = None
) -> Subscription:
    subscription = _locked(subscription)
    if subscription.status in (Status.PAST_DUE, Status.CANCELLED):
        return subscription
    subscription.status = Status.PAST_DUE
    subscription.past_due_since = at or timezone.now()
    subscription.reminders_sent = 0
    subscription.save(update_fields=["status", "past_due_since", "reminders_sent", "updated"])
    billing_event_record(
        restaurant=subscription.restaurant,
        action="subscription.past_due",
        actor=actor,
        invoice=invoice.display_number,
    )
    _email(
        subscription,
        "billing_payment_failed",
        invoice=invoice.display_number,
        amount=f"{invoice.total} {invoice.currency}",
    )
    return subscription


@transaction.atomic
def subscription_settle(*, subscription: Subscription, actor: str) -> Subscription:
    """Back to active once nothing is owed; reactivate a restaurant billing suspended."""
    subscription = _locked(subscription)
    if subscription.status != Status.PAST_DUE or _owed(subscription, timezone.now()):
        return subscription
    subscription.status = Status.ACTIVE
    subscription.past_due_since = None
    subscription.reminders_sent = 0
    reactivated = subscription.suspended_for_nonpayment
    subscription.suspended_for_nonpayment = False
    subscription.save()
    if reactivated:
        restaurant_reactivate(restaurant=subscription.restaurant)
        _email(subscription, "billing_reactivated")
    billing_event_record(
        restaurant=subscription.restaurant,
        action="subscription.reactivated" if reactivated else "subscription.settled",
        actor=actor,
    )
    return subscription


def _reminders_due(days_past_due: float) -> int:
    return sum(1 for day in settings.DYSA_BILLING_REMINDER_DAYS if days_past_due >= day)


@transaction.atomic
def subscription_dun(*, subscription: Subscription, now: datetime) -> str:
    """One dunning step for one subscription: past due, reminder, suspension, or nothing."""
    subscription = _locked(subscription)
    owed = _owed(subscription, now)
    if subscription.status in (Status.ACTIVE, Status.TRIALING) and owed:
        oldest = min(owed, key=lambda invoice: invoice.due_at or now)
        subscription_mark_past_due(subscription=subscription, actor=SYSTEM, invoice=oldest, at=now)
        return "past_due"
    if subscription.status != Status.PAST_DUE or subscription.past_due_since is None:
        return ""
    days = (now - subscription.past_due_since) / timedelta(days=1)
    restaurant = subscription.restaurant
    if days >= settings.DYSA_BILLING_GRACE_DAYS:
        if restaurant.status == Restaurant.Status.ACTIVE:
            restaurant_suspend(restaurant=restaurant, reason="unpaid invoices")
            subscription.suspended_for_nonpayment = True
            subscription.save(update_fields=["suspended_for_nonpayment", "updated"])
            billing_event_record(
                restaurant=restaurant, action="restaurant.suspended", actor=SYSTEM, days=int(days)
            )
            _email(subscription, "billing_suspended")
            return "suspended"
        return ""
    due = _reminders_due(days)
    if due > subscription.reminders_sent:
        subscription.reminders_sent = due
        subscription.last_reminder_at = now
        subscription.save(update_fields=["reminders_sent", "last_reminder_at", "updated"])
        suspend_on = subscription.past_due_since + timedelta(days=settings.DYSA_BILLING_GRACE_DAYS)
        billing_event_record(
            restaurant=restaurant, action="subscription.reminder_sent", actor=SYSTEM, number=due
        )
        _email(subscription, "billing_reminder", suspend_on=f"{suspend_on:%Y-%m-%d}")
        return "reminder"
    return ""


def subscriptions_to_dun(*, now: datetime) -> list[int]:
    """Past-due subscriptions, and ones with an overdue or failed open invoice."""
    owing = Invoice.objects.filter(status=Invoice.Status.OPEN).filter(
        Q(due_at__lte=now) | Q(payment_attempts__gt=0)
    )
    return list(
        Subscription.objects.filter(
            Q(status=Status.PAST_DUE) | Q(pk__in=owing.values("subscription_id"))
        )
        .exclude(status=Status.CANCELLED)
        .values_list("pk", flat=True)
        .distinct()
    )
