"""Dunning end to end: an unpaid invoice makes the subscription past due, the owner gets
reminders, the restaurant is suspended after the grace period, and paying brings it back."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from shared_apps.billing.dunning import subscription_dun
from shared_apps.billing.models import BillingEvent, Plan, Subscription
from shared_apps.billing.subscriptions import subscription_renew
from tenants.models import Restaurant
from tests.shared_apps.billing.conftest import subscribe
from tests.tenants.factories import TenantHandle
from tests.tenants.test_api import platform_client


def _wait_for_mail(count: int) -> list[Any]:
    deadline = time.monotonic() + 15
    while len(mail.outbox) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return list(mail.outbox)


@pytest.mark.django_db(transaction=True)
def test_an_unpaid_invoice_leads_to_suspension_and_paying_it_reactivates(
    tenant_a: TenantHandle, plans: dict[str, Plan], celery_worker_session: object, settings: Any
) -> None:
    settings.DYSA_BILLING_REMINDER_DAYS = [1, 3, 7]
    settings.DYSA_BILLING_GRACE_DAYS = 14
    start = timezone.now() - timedelta(days=40)
    subscription = subscribe(tenant_a.restaurant, plans["starter"], start=start)
    invoice = subscription_renew(subscription=subscription, now=timezone.now())
    assert invoice is not None
    assert invoice.due_at is not None
    overdue = invoice.due_at + timedelta(hours=1)

    steps = [
        subscription_dun(subscription=subscription, now=overdue + timedelta(days=days))
        for days in (0, 1, 1.1, 3, 7, 13.9, 14, 15)
    ]

    assert steps == ["past_due", "reminder", "", "reminder", "reminder", "", "suspended", ""]
    tenant_a.restaurant.refresh_from_db()
    assert tenant_a.restaurant.status == Restaurant.Status.SUSPENDED
    assert APIClient(HTTP_HOST=tenant_a.host).get("/api/v1/restaurant/").status_code == 503

    paid = platform_client("operator").post(
        f"/api/platform/v1/invoices/{invoice.pk}/mark-paid/", format="json"
    )

    assert paid.status_code == 200, paid.content
    assert paid.json()["status"] == "paid"
    tenant_a.restaurant.refresh_from_db()
    assert tenant_a.restaurant.status == Restaurant.Status.ACTIVE
    subscription.refresh_from_db()
    assert (subscription.status, subscription.suspended_for_nonpayment) == (
        Subscription.Status.ACTIVE,
        False,
    )
    actions = list(
        BillingEvent.objects.filter(restaurant=tenant_a.restaurant)
        .order_by("id")
        .values_list("action", "actor")
    )
    assert [action for action, _ in actions[-7:]] == [
        "subscription.past_due",
        "subscription.reminder_sent",
        "subscription.reminder_sent",
        "subscription.reminder_sent",
        "restaurant.suspended",
        "invoice.paid",
        "subscription.reactivated",
    ]
    assert actions[-1] == ("subscription.reactivated", "operator:operator@dysa.test")
    sent = _wait_for_mail(6)
    assert [message.to for message in sent] == [[subscription.billing_email]] * 6
    subjects = [message.subject for message in sent]  # in the restaurant's Spanish
    assert tenant_a.restaurant.locale == "es"
    assert "no se pudo cobrar" in subjects[0]
    assert "suspendido" in subjects[4]
    assert "vuelve a estar activo" in subjects[5]
