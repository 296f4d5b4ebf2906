"""Orders: totals from one service, options, promotions, the status machine, numbering."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tenants.utils import schema_context

from tenant_apps.menu.services import menu_item_update
from tenant_apps.orders.models import Order
from tenant_apps.orders.selectors import order_get, order_latest_for_customer
from tenant_apps.orders.services import (
    IllegalTransition,
    OrderLineInput,
    order_create,
    order_quote,
    order_transition,
)
from tenant_apps.promotions.models import Promotion
from tenant_apps.promotions.services import promotion_create
from tests.actors import TEST_ACTOR
from tests.tenant_apps.concurrency import run_concurrently
from tests.tenant_apps.customers.factories import make_customer
from tests.tenant_apps.menu.factories import make_category, make_item
from tests.tenant_apps.orders.factories import make_menu_item, make_order
from tests.tenants.factories import TenantHandle


def options_of(item: object) -> dict[str, int]:
    return {
        option.name["en"]: option.pk
        for group in item.option_groups.all()  # type: ignore[attr-defined]
        for option in group.options.all()
    }


@pytest.mark.usefixtures("in_tenant_a")
class TestQuote:
    def test_defaults_fill_required_groups_and_extras_add_up(self) -> None:
        item = make_menu_item(with_options=True)  # 9.50, size Regular/Large +2, extras
        options = options_of(item)

        totals = order_quote(
            lines=[
                OrderLineInput(item_id=item.pk, quantity=2),
                OrderLineInput(
                    item_id=item.pk,
                    quantity=1,
                    option_ids=(options["Large"], options["Cheese"], options["Guacamole"]),
                ),
            ]
        )

        assert [line.unit_price for line in totals.lines] == [Decimal("9.50"), Decimal("14.00")]
        assert totals.subtotal == Decimal("33.00")
        assert totals.total == Decimal("33.00")
        assert totals.currency == "EUR"

    @pytest.mark.parametrize(
        ("line_kwargs", "field"),
        [
            ({"quantity": 0}, "quantity"),
            ({"quantity": -2}, "quantity"),
            ({"quantity": 100}, "quantity"),
            ({"item_id": 0}, "item_id"),
        ],
    )
    def test_bad_lines_are_field_errors(self, line_kwargs: dict[str, int], field: str) -> None:
        item = make_menu_item()
        line: dict[str, Any] = {"item_id": item.pk, "quantity": 1, **line_kwargs}

        with pytest.raises(ValidationError) as error:
            order_quote(lines=[OrderLineInput(**line)])

        assert f"lines.0.{field}" in error.value.message_dict

    def test_too_many_extras_and_foreign_options_are_rejected(self) -> None:
        item = make_menu_item(with_options=True)
        other = make_menu_item(with_options=True)
        options = options_of(item)

        with pytest.raises(ValidationError) as too_many:
            order_quote(
                lines=[
                    OrderLineInput(
                        item_id=item.pk,
                        option_ids=(options["Cheese"], options["Guacamole"], options["Jalapeños"]),
                    )
                ]
            )
        with pytest.raises(ValidationError) as foreign:
            order_quote(
                lines=[OrderLineInput(item_id=item.pk, option_ids=(options_of(other)["Large"],))]
            )

        assert "lines.0.option_ids" in too_many.value.message_dict
        assert "lines.0.option_ids" in foreign.value.message_dict

    def test_sold_out_items_cannot_be_ordered(self) -> None:
        item = make_menu_item(out_of_stock=True)

        with pytest.raises(ValidationError) as error:
            order_quote(lines=[OrderLineInput(item_id=item.pk)])

        assert "not available" in str(error.value.message_dict["lines.0.item_id"])

    def test_code_promotion_restricted_to_a_category(self) -> None:
        tacos = make_category("Tacos", "Tacos")
        drinks = make_category("Bebidas", "Drinks")
        taco = make_item(tacos, price="10.00")
        drink = make_item(drinks, "Agua", "Water", price="2.00")
        promotion_create(
            actor=TEST_ACTOR,
            name={"es": "Tacos"},
            kind=Promotion.Kind.PERCENT,
            value=Decimal("20"),
            code="tacos20",
            category_ids=[tacos.pk],
        )

        totals = order_quote(
            lines=[OrderLineInput(item_id=taco.pk, quantity=2), OrderLineInput(item_id=drink.pk)],
            promotion_code="TACOS20",
        )

        assert totals.subtotal == Decimal("22.00")
        assert totals.discount == Decimal("4.00")
        assert totals.total == Decimal("18.00")

    def test_best_automatic_promotion_applies_above_its_minimum(self) -> None:
        item = make_menu_item(price="10.00")
        promotion_create(
            actor=TEST_ACTOR,
            name={"es": "3 off"},
            kind=Promotion.Kind.FIXED,
            value=Decimal("3"),
            min_order_total=Decimal("30"),
        )
        promotion_create(
            actor=TEST_ACTOR, name={"es": "5%"}, kind=Promotion.Kind.PERCENT, value=Decimal("5")
        )

        small = order_quote(lines=[OrderLineInput(item_id=item.pk, quantity=1)])
        large = order_quote(lines=[OrderLineInput(item_id=item.pk, quantity=4)])

        assert small.discount == Decimal("0.50")
        assert large.discount == Decimal("3.00")

    @pytest.mark.parametrize(
        ("promotion_kwargs", "message"),
        [
            (
                {
                    "code": "OLD",
                    "ends_at": timezone.now() - timedelta(days=1),
                    "starts_at": timezone.now() - timedelta(days=9),
                },
                "ended",
            ),
            ({"code": "BIG", "min_order_total": Decimal("100")}, "at least"),
            ({"code": "OFF", "is_active": False}, "not active"),
        ],
    )
    def test_ineligible_codes_say_why(self, promotion_kwargs: dict[str, Any], message: str) -> None:
        item = make_menu_item()
        promotion_create(
            actor=TEST_ACTOR,
            name={"es": "x"},
            kind=Promotion.Kind.PERCENT,
            value=Decimal("10"),
            **promotion_kwargs,
        )

        with pytest.raises(ValidationError) as error:
            order_quote(
                lines=[OrderLineInput(item_id=item.pk)],
                promotion_code=str(promotion_kwargs["code"]),
            )

        assert message in str(error.value.message_dict["promotion_code"])

    def test_unknown_code_is_a_field_error(self) -> None:
        with pytest.raises(ValidationError) as error:
            order_quote(lines=[OrderLineInput(item_id=make_menu_item().pk)], promotion_code="NOPE")

        assert "promotion_code" in error.value.message_dict


@pytest.mark.usefixtures("in_tenant_a")
class TestCreate:
    def test_order_snapshots_lines_and_totals_match_the_quote(self) -> None:
        item = make_menu_item(with_options=True)
        large = options_of(item)["Large"]
        lines = [OrderLineInput(item_id=item.pk, quantity=2, option_ids=(large,))]
        quote = order_quote(lines=lines)

        order = order_create(
            actor=TEST_ACTOR,
            customer=make_customer(),
            channel="whatsapp",
            order_type="pickup",
            lines=lines,
        )
        menu_item_update(
            actor=TEST_ACTOR, item=item, changes={"price": Decimal("99.00"), "name": {"es": "Otro"}}
        )

        order.refresh_from_db()
        line = order.lines.get()
        assert order.total == quote.total == Decimal("23.00")
        assert order.status == Order.Status.PENDING
        assert line.name["es"] == "Tacos al pastor"
        assert line.unit_price == Decimal("11.50")
        assert line.options[0]["name"]["en"] == "Large"

    def test_the_created_order_carries_its_lines_and_history_as_a_read_would(
        self, django_assert_num_queries: Any
    ) -> None:
        first, second = make_menu_item(with_options=True), make_menu_item()
        lines = [OrderLineInput(item_id=first.pk, quantity=2), OrderLineInput(item_id=second.pk)]

        order = order_create(
            actor=TEST_ACTOR, customer=None, channel="staff", order_type="pickup", lines=lines
        )

        with django_assert_num_queries(0):
            carried = list(order.lines.all()), list(order.status_changes.all())
        read = order_get(order_id=order.pk)
        assert read is not None
        assert carried == (list(read.lines.all()), list(read.status_changes.all()))
        assert [line.options for line in carried[0]] == [line.options for line in read.lines.all()]

    def test_numbers_are_sequential(self) -> None:
        first = make_order()
        second = make_order()

        assert second.number == first.number + 1

    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            ({"order_type": "delivery"}, "address"),
            ({"order_type": "dine_in"}, "table"),
            ({"order_type": "teleport"}, "order_type"),
            ({"channel": "fax"}, "channel"),
            ({"requested_time": timezone.now() - timedelta(hours=1)}, "requested_time"),
            ({"requested_time": timezone.now() + timedelta(days=30)}, "requested_time"),
        ],
    )
    def test_bad_fulfilment_is_a_field_error_and_writes_nothing(
        self, kwargs: dict[str, Any], field: str
    ) -> None:
        with pytest.raises(ValidationError) as error:
            make_order(**kwargs)

        assert field in error.value.message_dict
        assert not Order.objects.exists()

    def test_order_at_a_closed_time_is_refused(self) -> None:
        from tenant_apps.restaurant.selectors import restaurant_profile_get

        tz = restaurant_profile_get().tz
        tomorrow_3am = (timezone.now().astimezone(tz) + timedelta(days=1)).replace(
            hour=3, minute=0, second=0, microsecond=0
        )

        with pytest.raises(ValidationError) as error:
            make_order(requested_time=tomorrow_3am)

        assert "closed" in str(error.value.message_dict["requested_time"])

    def test_code_with_a_per_customer_limit_is_used_once(self) -> None:
        item = make_menu_item()
        customer = make_customer()
        promotion_create(
            actor=TEST_ACTOR,
            name={"es": "Bienvenida"},
            kind=Promotion.Kind.PERCENT,
            value=Decimal("10"),
            code="HOLA",
            max_redemptions_per_customer=1,
        )
        make_order(item, customer=customer, promotion_code="HOLA")

        with pytest.raises(ValidationError) as error:
            make_order(item, customer=customer, promotion_code="HOLA")

        assert "already used" in str(error.value.message_dict["promotion_code"])

    def test_cancelling_gives_the_promotion_use_back(self) -> None:
        item = make_menu_item()
        customer = make_customer()
        promotion_create(
            actor=TEST_ACTOR,
            name={"es": "Una"},
            kind=Promotion.Kind.PERCENT,
            value=Decimal("10"),
            code="UNA",
            max_redemptions=1,
        )
        order = make_order(item, customer=customer, promotion_code="UNA")

        order_transition(
            actor=TEST_ACTOR, order=order, to_status="cancelled", reason="Customer changed mind"
        )

        assert make_order(item, customer=customer, promotion_code="UNA").discount > 0

    def test_latest_order_for_customer(self) -> None:
        customer = make_customer()
        make_order(customer=customer)
        latest = make_order(customer=customer)

        assert order_latest_for_customer(customer=customer) == latest


@pytest.mark.usefixtures("in_tenant_a")
class TestStatusMachine:
    def test_happy_path_records_each_change(self) -> None:
        order = make_order()

        for status in ("confirmed", "preparing", "ready", "completed"):
            order = order_transition(actor=TEST_ACTOR, order=order, to_status=status)

        assert order.status == "completed"
        assert [c.to_status for c in order.status_changes.all()] == [
            "pending",
            "confirmed",
            "preparing",
            "ready",
            "completed",
        ]

    @pytest.mark.parametrize(
        ("path", "illegal"),
        [
            ((), "ready"),
            (("confirmed", "preparing"), "cancelled"),
            (("confirmed", "preparing", "ready", "completed"), "pending"),
            (("cancelled",), "confirmed"),
        ],
    )
    def test_illegal_transitions_are_conflicts_that_say_what_is_allowed(
        self, path: tuple[str, ...], illegal: str
    ) -> None:
        order = make_order()
        for status in path:
            order = order_transition(actor=TEST_ACTOR, order=order, to_status=status, reason="test")

        with pytest.raises(IllegalTransition) as error:
            order_transition(actor=TEST_ACTOR, order=order, to_status=illegal, reason="test")

        assert error.value.status_code == 409
        assert error.value.problem_extra["current_status"] == order.status

    def test_cancelling_needs_a_reason(self) -> None:
        with pytest.raises(ValidationError) as error:
            order_transition(actor=TEST_ACTOR, order=make_order(), to_status="cancelled")

        assert "reason" in error.value.message_dict


def test_concurrent_orders_get_unique_gapless_numbers(committed_tenant_a: TenantHandle) -> None:
    tenant_a = committed_tenant_a
    with schema_context(tenant_a.schema_name):
        item = make_menu_item()
        customer = make_customer()

    def place() -> None:
        order_create(
            actor=TEST_ACTOR,
            customer=customer,
            channel="api",
            order_type="pickup",
            lines=[OrderLineInput(item_id=item.pk)],
        )

    outcomes = run_concurrently(tenant_a.schema_name, [place] * 8)

    assert outcomes == ["ok"] * 8
    with schema_context(tenant_a.schema_name):
        numbers = sorted(Order.objects.values_list("number", flat=True))
        assert len(numbers) == 8
        assert numbers == list(range(numbers[0], numbers[0] + 8))
