"""Orders REST API: quotes, creation, listing and the status machine."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import StrictInputSerializer, page_of
from core.views import TenantApiView, permissions_for
from tenant_apps.customers.models import Customer
from tenant_apps.customers.serializers import CustomerReferenceIn
from tenant_apps.customers.services import customer_resolve
from tenant_apps.orders.models import Order, OrderLine, OrderStatusChange
from tenant_apps.orders.selectors import OrderFilter, order_get, order_list
from tenant_apps.orders.services import (
    MAX_LINES,
    MAX_QUANTITY,
    OrderLineInput,
    OrderTotals,
    order_create,
    order_quote,
    order_transition,
)
from tenant_apps.restaurant.fields import LocalDateTimeField

TAGS = ["orders"]


class OrderLineOut(serializers.ModelSerializer[OrderLine]):
    class Meta:
        model = OrderLine
        fields = ["id", "item", "name", "quantity", "unit_price", "options", "line_total"]


class StatusChangeOut(serializers.ModelSerializer[OrderStatusChange]):
    class Meta:
        model = OrderStatusChange
        fields = ["from_status", "to_status", "reason", "actor", "created"]


class OrderOut(serializers.ModelSerializer[Order]):
    lines = OrderLineOut(many=True, read_only=True)
    status_changes = StatusChangeOut(many=True, read_only=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "number",
            "customer",
            "channel",
            "order_type",
            "status",
            "table",
            "address",
            "requested_time",
            "currency",
            "subtotal",
            "discount",
            "total",
            "promotion",
            "promotion_code",
            "notes",
            "cancel_reason",
            "created_by",
            "created",
            "updated",
            "lines",
            "status_changes",
        ]


class OrderLineIn(StrictInputSerializer):
    item_id = serializers.IntegerField(min_value=1)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY, default=1)
    option_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=30
    )


class QuoteIn(CustomerReferenceIn):
    lines = serializers.ListField(child=OrderLineIn(), min_length=1, max_length=MAX_LINES)
    promotion_code = serializers.CharField(max_length=32, required=False, allow_blank=True)


class OrderIn(QuoteIn):
    channel = serializers.ChoiceField(choices=Order.Channel.choices, required=False)
    order_type = serializers.ChoiceField(choices=Order.Type.choices)
    requested_time = LocalDateTimeField(required=False, allow_null=True)
    table = serializers.CharField(max_length=20, required=False, allow_blank=True)
    address = serializers.CharField(max_length=255, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=1000, required=False, allow_blank=True)


class OrderTransitionIn(StrictInputSerializer):
    status = serializers.ChoiceField(choices=Order.Status.choices)
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True)


QuoteOut = inline_serializer(
    "OrderQuote",
    {
        "currency": serializers.CharField(),
        "subtotal": serializers.DecimalField(10, 2),
        "discount": serializers.DecimalField(10, 2),
        "total": serializers.DecimalField(10, 2),
        "promotion": serializers.IntegerField(allow_null=True),
        "lines": serializers.ListField(child=serializers.DictField()),
    },
)


def _lines(data: dict[str, Any]) -> list[OrderLineInput]:
    return [
        OrderLineInput(
            item_id=line["item_id"],
            quantity=line["quantity"],
            option_ids=tuple(line.get("option_ids", ())),
        )
        for line in data["lines"]
    ]


def _customer(data: dict[str, Any]) -> Customer | None:
    return customer_resolve(
        customer_id=data.get("customer"),
        phone=data.get("customer_phone", ""),
        name=data.get("customer_name", ""),
    )


def _quote_body(totals: OrderTotals) -> dict[str, Any]:
    return {
        "currency": totals.currency,
        "subtotal": f"{totals.subtotal:.2f}",
        "discount": f"{totals.discount:.2f}",
        "total": f"{totals.total:.2f}",
        "promotion": totals.promotion.pk if totals.promotion else None,
        "lines": [
            {
                "item_id": line.item.pk,
                "name": line.item.name,
                "quantity": line.quantity,
                "option_ids": [option.pk for option in line.options],
                "unit_price": f"{line.unit_price:.2f}",
                "line_total": f"{line.line_total:.2f}",
            }
            for line in totals.lines
        ],
    }


def _order(order_id: int) -> Order | None:
    return order_get(order_id=order_id)


class OrderQuoteApi(TenantApiView):
    """Price an order (options, promotion) without placing it."""

    required_permissions = {"POST": "orders.create"}

    @extend_schema(tags=TAGS, request=QuoteIn, responses=QuoteOut)
    def post(self, request: Request) -> Response:
        body = QuoteIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        customer = None
        if data.get("customer"):
            customer = customer_resolve(customer_id=data["customer"])
        totals = order_quote(
            lines=_lines(data), promotion_code=data.get("promotion_code") or None, customer=customer
        )
        return Response(_quote_body(totals))


class OrderListApi(TenantApiView):
    required_permissions = {"GET": "orders.view", "POST": "orders.create"}
    cache_resource = "orders"
    ordering_fields = ["number", "created", "total", "requested_time"]
    ordering = ["-number"]
    filter_params = tuple(OrderFilter.base_filters)

    @extend_schema(
        tags=TAGS,
        responses=page_of(OrderOut),
        parameters=[
            OpenApiParameter("status", str, many=True, enum=Order.Status.values),
            OpenApiParameter("channel", str, enum=Order.Channel.values),
            OpenApiParameter("order_type", str, enum=Order.Type.values),
            OpenApiParameter("customer", int),
            OpenApiParameter("created_after", str, description="ISO 8601"),
            OpenApiParameter("created_before", str, description="ISO 8601"),
            OpenApiParameter("ordering", str, description="number, created, total, requested_time"),
        ],
    )
    def get(self, request: Request) -> Response:
        return Response(
            self.cached_data(
                request,
                lambda: self.paginated(request, order_list(filters=request.query_params), OrderOut),
            )
        )

    @extend_schema(tags=TAGS, request=OrderIn, responses={201: OrderOut})
    def post(self, request: Request) -> Response:
        body = OrderIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        is_api_key = getattr(request.user, "is_api_key", False)
        with transaction.atomic():
            order = order_create(
                actor=self.actor,
                customer=_customer(data),
                channel=data.get("channel")
                or (Order.Channel.API if is_api_key else Order.Channel.STAFF),
                order_type=data["order_type"],
                lines=_lines(data),
                requested_time=data.get("requested_time"),
                table=data.get("table", ""),
                address=data.get("address", ""),
                promotion_code=data.get("promotion_code") or None,
                notes=data.get("notes", ""),
            )
            # Serialized from what was just written, inside the transaction (see the
            # round-trip test): the counter row stays locked until the commit.
            after = OrderOut(order).data
        return Response(after, status=status.HTTP_201_CREATED)


class OrderDetailApi(TenantApiView):
    required_permissions = {"GET": "orders.view"}
    cache_resource = "orders"

    @extend_schema(tags=TAGS, responses=OrderOut)
    def get(self, request: Request, order_id: int) -> Response:
        return Response(
            self.cached_data(request, lambda: OrderOut(self.found(_order(order_id))).data)
        )


class OrderStatusApi(TenantApiView):
    """Move an order to its next status; illegal moves are a 409 naming the allowed ones."""

    required_permissions = {"POST": "orders.update_status"}

    @extend_schema(tags=TAGS, request=OrderTransitionIn, responses={200: OrderOut})
    def post(self, request: Request, order_id: int) -> Response:
        order = self.found(_order(order_id))
        body = OrderTransitionIn(data=request.data)
        body.is_valid(raise_exception=True)
        to_status = body.validated_data["status"]
        if to_status == Order.Status.CANCELLED and "orders.cancel" not in permissions_for(
            request.user
        ):
            raise PermissionDenied("Your role does not allow cancelling orders.")
        order_transition(
            actor=self.actor,
            order=order,
            to_status=to_status,
            reason=body.validated_data.get("reason", ""),
        )
        return Response(OrderOut(_order(order_id)).data)
