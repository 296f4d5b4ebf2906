"""Reservations REST API: public availability, bookings, tables and booking rules."""

from __future__ import annotations

import datetime
from datetime import date
from typing import Any

from django.db import transaction
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import StrictInputSerializer, page_of, validated_query
from core.views import PUBLIC, TenantApiView, permissions_for
from tenant_apps.customers.serializers import CustomerReferenceIn
from tenant_apps.customers.services import customer_resolve
from tenant_apps.reservations.models import Reservation, ReservationSettings, Table
from tenant_apps.reservations.selectors import (
    ReservationFilter,
    availability_slots,
    reservation_get,
    reservation_list,
    reservation_settings_get,
    table_get,
    table_list,
)
from tenant_apps.reservations.services import (
    reservation_create,
    reservation_reschedule,
    reservation_settings_update,
    reservation_transition,
    table_create,
    table_delete,
    table_update,
)
from tenant_apps.restaurant.fields import LocalDateTimeField
from tenant_apps.restaurant.selectors import restaurant_local_now

TAGS = ["reservations"]


class ReservationOut(serializers.ModelSerializer[Reservation]):
    class Meta:
        model = Reservation
        fields = [
            "id",
            "customer",
            "starts_at",
            "ends_at",
            "party_size",
            "status",
            "channel",
            "table",
            "notes",
            "cancel_reason",
            "created_by",
            "created",
            "updated",
        ]


class TableOut(serializers.ModelSerializer[Table]):
    class Meta:
        model = Table
        fields = ["id", "name", "capacity", "area", "is_active", "position"]


class BookingSettingsOut(serializers.ModelSerializer[ReservationSettings]):
    class Meta:
        model = ReservationSettings
        fields = [
            "capacity_mode",
            "total_covers",
            "slot_interval_minutes",
            "default_duration_minutes",
            "min_party_size",
            "max_party_size",
            "booking_window_days",
            "min_notice_minutes",
            "auto_confirm",
            "updated",
        ]


class ReservationIn(CustomerReferenceIn):
    starts_at = LocalDateTimeField()
    party_size = serializers.IntegerField(min_value=1, max_value=1000)
    channel = serializers.ChoiceField(choices=Reservation.Channel.choices, required=False)
    notes = serializers.CharField(max_length=1000, required=False, allow_blank=True)


class RescheduleIn(StrictInputSerializer):
    starts_at = LocalDateTimeField()
    party_size = serializers.IntegerField(min_value=1, max_value=1000, required=False)


class ReservationTransitionIn(StrictInputSerializer):
    status = serializers.ChoiceField(choices=Reservation.Status.choices)
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True)


class TableIn(StrictInputSerializer):
    name = serializers.CharField(max_length=40)
    capacity = serializers.IntegerField(min_value=1, max_value=100)
    area = serializers.CharField(max_length=40, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)
    position = serializers.IntegerField(min_value=0, required=False)


class BookingSettingsIn(StrictInputSerializer):
    capacity_mode = serializers.ChoiceField(
        choices=ReservationSettings.CapacityMode.choices, required=False
    )
    total_covers = serializers.IntegerField(min_value=0, max_value=10000, required=False)
    slot_interval_minutes = serializers.IntegerField(min_value=5, max_value=240, required=False)
    default_duration_minutes = serializers.IntegerField(min_value=15, max_value=720, required=False)
    min_party_size = serializers.IntegerField(min_value=1, max_value=1000, required=False)
    max_party_size = serializers.IntegerField(min_value=1, max_value=1000, required=False)
    booking_window_days = serializers.IntegerField(min_value=1, max_value=365, required=False)
    min_notice_minutes = serializers.IntegerField(min_value=0, max_value=10080, required=False)
    auto_confirm = serializers.BooleanField(required=False)


class AvailabilityQuery(serializers.Serializer[Any]):
    date = serializers.DateField()
    party_size = serializers.IntegerField(min_value=1, max_value=1000)

    def validate_date(self, value: datetime.date) -> datetime.date:
        if value < restaurant_local_now().date():
            raise ValidationError("This date is in the past.")
        return value


def _is_api_key(request: Request) -> bool:
    return bool(getattr(request.user, "is_api_key", False))


class AvailabilityApi(TenantApiView):
    """Free start times on a day for a party (restaurant local time)."""

    required_permissions = {"GET": PUBLIC}
    authentication_classes: list[Any] = []

    @extend_schema(
        tags=TAGS,
        parameters=[AvailabilityQuery],
        responses=inline_serializer(
            "Availability",
            {
                "date": serializers.DateField(),
                "party_size": serializers.IntegerField(),
                "slots": serializers.ListField(child=serializers.DateTimeField()),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        query = validated_query(AvailabilityQuery, request)
        day: date = query["date"]
        slots = availability_slots(day=day, party_size=query["party_size"])
        return Response(
            {
                "date": day.isoformat(),
                "party_size": query["party_size"],
                "slots": [slot.isoformat() for slot in slots],
            }
        )


class ReservationListApi(TenantApiView):
    required_permissions = {"GET": "reservations.view", "POST": "reservations.create"}
    ordering_fields = ["starts_at", "created", "party_size"]
    ordering = ["starts_at", "id"]
    filter_params = tuple(ReservationFilter.base_filters)

    @extend_schema(tags=TAGS, responses=page_of(ReservationOut))
    def get(self, request: Request) -> Response:
        return Response(
            self.paginated(request, reservation_list(filters=request.query_params), ReservationOut)
        )

    @extend_schema(tags=TAGS, request=ReservationIn, responses={201: ReservationOut})
    def post(self, request: Request) -> Response:
        body = ReservationIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        with transaction.atomic():
            customer = customer_resolve(
                customer_id=data.get("customer"),
                phone=data.get("customer_phone", ""),
                name=data.get("customer_name", ""),
            )
            if customer is None:
                raise ValidationError({"customer": ["Give a customer id or a phone number."]})
            reservation = reservation_create(
                actor=self.actor,
                customer=customer,
                starts_at=data["starts_at"],
                party_size=data["party_size"],
                channel=data.get("channel")
                or (Reservation.Channel.API if _is_api_key(request) else Reservation.Channel.STAFF),
                notes=data.get("notes", ""),
            )
        return Response(ReservationOut(reservation).data, status=status.HTTP_201_CREATED)


class ReservationDetailApi(TenantApiView):
    required_permissions = {"GET": "reservations.view", "PATCH": "reservations.update"}

    @extend_schema(tags=TAGS, responses=ReservationOut)
    def get(self, request: Request, reservation_id: int) -> Response:
        return Response(
            ReservationOut(self.found(reservation_get(reservation_id=reservation_id))).data
        )

    @extend_schema(tags=TAGS, request=RescheduleIn, responses=ReservationOut)
    def patch(self, request: Request, reservation_id: int) -> Response:
        reservation = self.found(reservation_get(reservation_id=reservation_id))
        body = RescheduleIn(data=request.data)
        body.is_valid(raise_exception=True)
        updated = reservation_reschedule(
            actor=self.actor, reservation=reservation, **body.validated_data
        )
        return Response(ReservationOut(updated).data)


class ReservationStatusApi(TenantApiView):
    required_permissions = {"POST": "reservations.update"}

    @extend_schema(tags=TAGS, request=ReservationTransitionIn, responses=ReservationOut)
    def post(self, request: Request, reservation_id: int) -> Response:
        reservation = self.found(reservation_get(reservation_id=reservation_id))
        body = ReservationTransitionIn(data=request.data)
        body.is_valid(raise_exception=True)
        to_status = body.validated_data["status"]
        if to_status == Reservation.Status.CANCELLED and (
            "reservations.cancel" not in permissions_for(request.user)
        ):
            raise PermissionDenied("Your role does not allow cancelling reservations.")
        updated = reservation_transition(
            actor=self.actor,
            reservation=reservation,
            to_status=to_status,
            reason=body.validated_data.get("reason", ""),
        )
        return Response(ReservationOut(updated).data)


class SettingsApi(TenantApiView):
    required_permissions = {"GET": "reservations.view", "PATCH": "reservations.settings"}

    @extend_schema(tags=TAGS, responses=BookingSettingsOut)
    def get(self, request: Request) -> Response:
        return Response(BookingSettingsOut(reservation_settings_get()).data)

    @extend_schema(tags=TAGS, request=BookingSettingsIn, responses=BookingSettingsOut)
    def patch(self, request: Request) -> Response:
        body = BookingSettingsIn(data=request.data)
        body.is_valid(raise_exception=True)
        updated = reservation_settings_update(actor=self.actor, changes=body.validated_data)
        return Response(BookingSettingsOut(updated).data)


class TableListApi(TenantApiView):
    required_permissions = {"GET": "reservations.view", "POST": "tables.manage"}
    ordering_fields = ["position", "name", "capacity"]
    ordering = ["position", "name"]

    @extend_schema(tags=TAGS, responses=page_of(TableOut))
    def get(self, request: Request) -> Response:
        return Response(self.paginated(request, table_list(), TableOut))

    @extend_schema(tags=TAGS, request=TableIn, responses={201: TableOut})
    def post(self, request: Request) -> Response:
        body = TableIn(data=request.data)
        body.is_valid(raise_exception=True)
        table = table_create(actor=self.actor, **body.validated_data)
        return Response(TableOut(table).data, status=status.HTTP_201_CREATED)


class TableDetailApi(TenantApiView):
    required_permissions = {
        "GET": "reservations.view",
        "PATCH": "tables.manage",
        "DELETE": "tables.manage",
    }

    @extend_schema(tags=TAGS, responses=TableOut)
    def get(self, request: Request, table_id: int) -> Response:
        return Response(TableOut(self.found(table_get(table_id=table_id))).data)

    @extend_schema(tags=TAGS, request=TableIn(partial=True), responses=TableOut)
    def patch(self, request: Request, table_id: int) -> Response:
        table = self.found(table_get(table_id=table_id))
        body = TableIn(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        table_update(actor=self.actor, table=table, changes=body.validated_data)
        return Response(TableOut(table).data)

    @extend_schema(tags=TAGS, responses={204: None})
    def delete(self, request: Request, table_id: int) -> Response:
        table = self.found(table_get(table_id=table_id))
        table_delete(actor=self.actor, table=table)
        return Response(status=status.HTTP_204_NO_CONTENT)
