"""Onboarding starts a trial; the nightly metering fans out one task per batch; billing emails
speak the restaurant's language."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from shared_apps.billing.models import Plan, Subscription, UsageDay
from shared_apps.billing.tasks import usage_meter_batch, usage_meter_nightly
from shared_apps.mail.services import email_render
from tests.tenants.factories import TenantHandle, onboard_restaurant

pytestmark = pytest.mark.django_db


def test_onboarding_starts_a_trial_of_the_chosen_plan(plans: dict[str, Plan]) -> None:
    restaurant = onboard_restaurant("trial-place", plan="starter").restaurant

    subscription = Subscription.objects.get(restaurant=restaurant)
    assert subscription.status == Subscription.Status.TRIALING
    assert subscription.plan.code == restaurant.plan == "starter"
    assert subscription.trial_ends_at is not None
    assert subscription.trial_ends_at - subscription.current_period_start == timedelta(days=14)
    assert subscription.billing_email == "owner@trial-place.example"
    assert subscription.terms["staff_seats"] == 3


def test_onboarding_with_an_unknown_plan_fails_whole(plans: dict[str, Plan]) -> None:
    with pytest.raises(ValidationError) as error:
        onboard_restaurant("no-such-plan", plan="platinum")

    assert "plan" in error.value.message_dict
    assert not Subscription.objects.filter(restaurant__slug="no-such-plan").exists()


def test_the_nightly_run_queues_one_task_per_batch_and_a_batch_counts_its_restaurants(
    tenant_a: TenantHandle,
    tenant_b: TenantHandle,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.DYSA_BILLING_METER_BATCH = 1

    with django_capture_on_commit_callbacks(execute=False) as queued:
        batches = usage_meter_nightly("2026-02-01")
    usage_meter_batch.apply(
        args=([tenant_a.restaurant.pk, tenant_b.restaurant.pk], "2026-02-01", "2026-02-02")
    )

    assert batches == len(queued) >= 2
    assert UsageDay.objects.filter(day="2026-02-01").count() == 2


def test_billing_emails_are_written_in_the_restaurants_language() -> None:
    spanish = email_render(
        template="billing_suspended", context={"restaurant": "Casa Pepa"}, language="es"
    )
    english = email_render(
        template="billing_suspended", context={"restaurant": "Casa Pepa"}, language="en"
    )

    assert spanish.subject == "dysa: Casa Pepa está suspendido por impago"
    assert english.subject == "dysa: Casa Pepa is suspended for non-payment"
