"""Restaurant profile, opening hours and closed dates REST API."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import StrictInputSerializer, results_of
from core.i18n import SUPPORTED_LANGUAGES, TranslatedTextField
from core.views import PUBLIC, TenantApiView, permissions_for
from tenant_apps.restaurant.models import ClosedDate
from tenant_apps.restaurant.selectors import (
    Shift,
    closed_date_get,
    closed_date_list,
    opening_hours_list,
    restaurant_profile_get,
)
from tenant_apps.restaurant.services import (
    closed_date_add,
    closed_date_delete,
    opening_hours_replace,
    restaurant_profile_update,
)

TAGS = ["restaurant"]
ASSISTANT_FIELDS = frozenset({"assistant_name", "assistant_greeting", "assistant_persona"})


class ProfileIn(StrictInputSerializer):
    name = serializers.CharField(max_length=120, required=False)
    address = serializers.CharField(max_length=255, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    website = serializers.URLField(required=False, allow_blank=True)
    timezone = serializers.CharField(max_length=64, required=False)
    currency = serializers.CharField(max_length=3, required=False)
    languages = serializers.ListField(
        child=serializers.ChoiceField(SUPPORTED_LANGUAGES), required=False, min_length=1
    )
    default_language = serializers.ChoiceField(SUPPORTED_LANGUAGES, required=False)
    assistant_name = serializers.CharField(max_length=60, required=False)
    assistant_greeting = TranslatedTextField(max_length=500, required=False)
    assistant_persona = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class ShiftIO(StrictInputSerializer):
    weekday = serializers.IntegerField(min_value=0, max_value=6)
    opens = serializers.TimeField(format="%H:%M")
    closes = serializers.TimeField(format="%H:%M")


class HoursIn(StrictInputSerializer):
    shifts = serializers.ListField(child=ShiftIO(), max_length=50)


class ClosedDateOut(serializers.ModelSerializer[ClosedDate]):
    class Meta:
        model = ClosedDate
        fields = ["id", "date", "reason"]


class ClosedDateIn(StrictInputSerializer):
    date = serializers.DateField()
    reason = serializers.CharField(max_length=120, required=False, allow_blank=True)


class ProfileOut(serializers.Serializer[Any]):
    name = serializers.CharField()
    address = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()
    website = serializers.CharField()
    timezone = serializers.CharField()
    currency = serializers.CharField()
    languages = serializers.ListField(child=serializers.CharField())
    default_language = serializers.CharField()
    assistant_name = serializers.CharField()
    assistant_greeting = serializers.DictField(child=serializers.CharField())
    assistant_persona = serializers.CharField()
    opening_hours = ShiftIO(many=True)
    closed_dates = serializers.ListField(child=serializers.DateField())


def _profile_body() -> dict[str, Any]:
    profile = asdict(restaurant_profile_get())
    profile["languages"] = list(profile["languages"])
    profile["opening_hours"] = ShiftIO(
        [
            {"weekday": s["weekday"], "opens": s["opens"], "closes": s["closes"]}
            for s in profile["opening_hours"]
        ],
        many=True,
    ).data
    profile["closed_dates"] = [day.isoformat() for day in profile["closed_dates"]]
    return profile


class ProfileApi(TenantApiView):
    required_permissions = {"GET": "restaurant.view", "PATCH": "restaurant.manage"}

    @extend_schema(
        tags=TAGS,
        responses=ProfileOut,
    )
    def get(self, request: Request) -> Response:
        return Response(_profile_body())

    @extend_schema(tags=TAGS, request=ProfileIn, responses=ProfileOut)
    def patch(self, request: Request) -> Response:
        body = ProfileIn(data=request.data)
        body.is_valid(raise_exception=True)
        changes = dict(body.validated_data)
        if ASSISTANT_FIELDS & set(changes) and "assistant.manage" not in permissions_for(
            request.user
        ):
            raise PermissionDenied("Your role does not allow editing the assistant.")
        restaurant_profile_update(actor=self.actor, changes=changes)
        return Response(_profile_body())


class HoursApi(TenantApiView):
    """Weekly opening hours (0 = Monday); several shifts a day are split shifts."""

    required_permissions = {"GET": PUBLIC, "PUT": "hours.manage"}

    @extend_schema(tags=TAGS, responses=HoursIn)
    def get(self, request: Request) -> Response:
        return Response({"shifts": ShiftIO(opening_hours_list(), many=True).data})

    @extend_schema(tags=TAGS, request=HoursIn, responses=HoursIn)
    def put(self, request: Request) -> Response:
        body = HoursIn(data=request.data)
        body.is_valid(raise_exception=True)
        opening_hours_replace(
            actor=self.actor, shifts=[Shift(**shift) for shift in body.validated_data["shifts"]]
        )
        return Response({"shifts": ShiftIO(opening_hours_list(), many=True).data})


class ClosedDateListApi(TenantApiView):
    required_permissions = {"GET": PUBLIC, "POST": "hours.manage"}

    @extend_schema(tags=TAGS, responses=results_of("ClosedDates", ClosedDateOut(many=True)))
    def get(self, request: Request) -> Response:
        return Response({"results": ClosedDateOut(closed_date_list(), many=True).data})

    @extend_schema(tags=TAGS, request=ClosedDateIn, responses={201: ClosedDateOut})
    def post(self, request: Request) -> Response:
        body = ClosedDateIn(data=request.data)
        body.is_valid(raise_exception=True)
        closed = closed_date_add(
            actor=self.actor,
            day=body.validated_data["date"],
            reason=body.validated_data.get("reason", ""),
        )
        return Response(ClosedDateOut(closed).data, status=status.HTTP_201_CREATED)


class ClosedDateDetailApi(TenantApiView):
    required_permissions = {"DELETE": "hours.manage"}

    @extend_schema(tags=TAGS, responses={204: None})
    def delete(self, request: Request, closed_date_id: int) -> Response:
        closed = self.found(closed_date_get(closed_date_id=closed_date_id))
        closed_date_delete(actor=self.actor, closed_date=closed)
        return Response(status=status.HTTP_204_NO_CONTENT)
