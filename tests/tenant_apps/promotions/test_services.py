"""Promotions: the current list, and limits that hold under concurrent orders."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from tenant_apps.customers.models import Customer
from tenant_apps.orders.services import OrderLineInput, order_create
from tenant_apps.promotions.models import Promotion, PromotionRedemption
from tenant_apps.promotions.selectors import (
    PricedLine,
    promotion_for_order,
    promotion_list_current,
)
from tenant_apps.promotions.services import promotion_create, promotion_update
from tests.actors import TEST_ACTOR
from tests.tenant_apps.concurrency import run_concurrently
from tests.tenant_apps.customers.factories import make_customer
from tests.tenant_apps.orders.factories import make_menu_item
from tests.tenants.factories import TenantHandle


@pytest.mark.usefixtures("in_tenant_a")
class TestCurrent:
    def test_lists_active_promotions_in_their_window_and_follows_edits(self) -> None:
        now = timezone.now()
        running = promotion_create(
            actor=TEST_ACTOR, name={"es": "Ahora"}, kind=Promotion.Kind.PERCENT, value=Decimal("10")
        )
        promotion_create(
            actor=TEST_ACTOR,
            name={"es": "Luego"},
            kind=Promotion.Kind.PERCENT,
            value=Decimal("10"),
            starts_at=now + timedelta(days=1),
        )
        promotion_create(
            actor=TEST_ACTOR,
            name={"es": "Pasada"},
            kind=Promotion.Kind.PERCENT,
            value=Decimal("10"),
            starts_at=now - timedelta(days=3),
            ends_at=now - timedelta(days=1),
        )
        assert [p.name["es"] for p in promotion_list_current()] == ["Ahora"]

        promotion_update(actor=TEST_ACTOR, promotion=running, changes={"is_active": False})

        assert promotion_list_current() == []

    def test_one_starting_within_the_cache_lifetime_applies_from_its_start(self) -> None:
        now = timezone.now()
        item = make_menu_item()
        promotion_create(
            actor=TEST_ACTOR,
            name={"es": "Hora feliz"},
            kind=Promotion.Kind.PERCENT,
            value=Decimal("10"),
            starts_at=now + timedelta(seconds=30),
        )
        lines = [PricedLine(item_id=item.pk, category_id=item.category_id, line_total=Decimal(10))]

        before = promotion_list_current()  # computed and cached now, before it starts
        at_start = promotion_list_current(at=now + timedelta(seconds=31))
        applied = promotion_for_order(
            code=None, lines=lines, customer=None, at=now + timedelta(seconds=31)
        )

        assert before == []
        assert [p.name["es"] for p in at_start] == ["Hora feliz"]
        assert applied is not None
        assert applied.discount == Decimal("1.00")

    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            ({"kind": "percent", "value": Decimal("150")}, "value"),
            ({"kind": "percent", "value": Decimal("10"), "code": "a b"}, "code"),
            (
                {
                    "kind": "fixed",
                    "value": Decimal("5"),
                    "starts_at": timezone.now(),
                    "ends_at": timezone.now() - timedelta(days=1),
                },
                "ends_at",
            ),
            ({"kind": "fixed", "value": Decimal("5"), "category_ids": [987654]}, "category_ids"),
        ],
    )
    def test_invalid_promotions_are_field_errors(
        self, kwargs: dict[str, object], field: str
    ) -> None:
        with pytest.raises(ValidationError) as error:
            promotion_create(actor=TEST_ACTOR, name={"es": "X"}, **kwargs)  # type: ignore[arg-type]

        assert field in error.value.message_dict

    def test_codes_are_unique_case_insensitively(self) -> None:
        promotion_create(
            actor=TEST_ACTOR, name={"es": "A"}, kind="fixed", value=Decimal("1"), code="hola"
        )

        with pytest.raises(ValidationError):
            promotion_create(
                actor=TEST_ACTOR, name={"es": "B"}, kind="fixed", value=Decimal("1"), code="HOLA"
            )


@pytest.mark.usefixtures("in_tenant_a")
class TestAutomaticLimits:
    def _automatic(
        self, name: str, percent: str, *, total: int | None = None, each: int | None = None
    ) -> Promotion:
        return promotion_create(
            actor=TEST_ACTOR,
            name={"es": name},
            kind=Promotion.Kind.PERCENT,
            value=Decimal(percent),
            max_redemptions=total,
            max_redemptions_per_customer=each,
        )

    def test_the_best_automatic_promotion_within_its_limits_wins_in_one_query(
        self, django_assert_num_queries: Any
    ) -> None:
        item = make_menu_item()
        customer, someone = make_customer("Ana"), make_customer("Otro")
        once_each = self._automatic("Una por cliente", "20", each=1)
        last_one = self._automatic("Última", "15", total=1)
        self._automatic("Con límite alto", "10", total=100)
        PromotionRedemption.objects.create(
            promotion=once_each, customer=customer, order_id=1, discount=Decimal("1")
        )
        lines = [PricedLine(item_id=item.pk, category_id=item.category_id, line_total=Decimal(20))]
        promotion_list_current()  # the current list is cached; its reads are not counted here
        # The last use goes to someone else after the current list was cached
        PromotionRedemption.objects.create(
            promotion=last_one, customer=someone, order_id=2, discount=Decimal("1")
        )

        with django_assert_num_queries(1):
            applied = promotion_for_order(code=None, lines=lines, customer=customer)

        assert applied is not None
        assert applied.promotion.name["es"] == "Con límite alto"
        assert applied.discount == Decimal("2.00")
        for_someone = promotion_for_order(code=None, lines=lines, customer=someone)
        assert for_someone is not None
        assert for_someone.promotion == once_each


def test_the_last_use_of_a_limited_code_goes_to_one_order_only(
    committed_tenant_a: TenantHandle,
) -> None:
    schema = committed_tenant_a.schema_name
    with schema_context(schema):
        item = make_menu_item()
        promotion = promotion_create(
            actor=TEST_ACTOR,
            name={"es": "Última"},
            kind=Promotion.Kind.FIXED,
            value=Decimal("2"),
            code="ULTIMA",
            max_redemptions=1,
        )
        customers = [make_customer(f"C{n}") for n in range(6)]

    def order(customer: Customer) -> Callable[[], object]:
        def place() -> None:
            # In a transaction of the caller's that goes on after a refusal, as the assistant's
            # turn does: losing the race must leave it usable.
            with transaction.atomic():
                try:
                    order_create(
                        actor=TEST_ACTOR,
                        customer=customer,
                        channel="web",
                        order_type="pickup",
                        lines=[OrderLineInput(item_id=item.pk)],
                        promotion_code="ULTIMA",
                    )
                except ValidationError:
                    PromotionRedemption.objects.count()
                    raise

        return place

    outcomes = run_concurrently(schema, [order(c) for c in customers], expected=(ValidationError,))

    assert sorted(outcomes) == ["ValidationError"] * 5 + ["ok"]
    with schema_context(schema):
        assert PromotionRedemption.objects.filter(promotion=promotion).count() == 1
