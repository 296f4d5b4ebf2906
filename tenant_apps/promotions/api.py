"""Promotions REST API: the public list of current offers and staff management."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import StrictInputSerializer, page_of, results_of
from core.i18n import TranslatedTextField
from core.views import PUBLIC, TenantApiView
from tenant_apps.promotions.models import Promotion
from tenant_apps.promotions.selectors import (
    PromotionFilter,
    promotion_get,
    promotion_list,
    promotion_list_current,
)
from tenant_apps.promotions.services import promotion_create, promotion_delete, promotion_update
from tenant_apps.restaurant.fields import LocalDateTimeField

TAGS = ["promotions"]


class PromotionOut(serializers.ModelSerializer[Promotion]):
    is_automatic = serializers.BooleanField(read_only=True)
    category_ids = serializers.SerializerMethodField()
    item_ids = serializers.SerializerMethodField()

    class Meta:
        model = Promotion
        fields = [
            "id",
            "name",
            "description",
            "kind",
            "value",
            "code",
            "is_automatic",
            "starts_at",
            "ends_at",
            "min_order_total",
            "max_redemptions",
            "max_redemptions_per_customer",
            "category_ids",
            "item_ids",
            "is_active",
            "created",
            "updated",
        ]

    def get_category_ids(self, promotion: Promotion) -> list[int]:
        return sorted(category.pk for category in promotion.categories.all())

    def get_item_ids(self, promotion: Promotion) -> list[int]:
        return sorted(item.pk for item in promotion.items.all())


class PublicPromotionOut(PromotionOut):
    class Meta(PromotionOut.Meta):
        fields = [
            "id",
            "name",
            "description",
            "kind",
            "value",
            "code",
            "is_automatic",
            "starts_at",
            "ends_at",
            "min_order_total",
            "category_ids",
            "item_ids",
        ]


class PromotionIn(StrictInputSerializer):
    name = TranslatedTextField(max_length=120)
    description = TranslatedTextField(max_length=500, required=False)
    kind = serializers.ChoiceField(choices=Promotion.Kind.choices)
    value = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=Decimal("0.01"))
    code = serializers.CharField(max_length=32, required=False, allow_blank=True, allow_null=True)
    starts_at = LocalDateTimeField(required=False, allow_null=True)
    ends_at = LocalDateTimeField(required=False, allow_null=True)
    min_order_total = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=0, required=False
    )
    max_redemptions = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    max_redemptions_per_customer = serializers.IntegerField(
        min_value=1, required=False, allow_null=True
    )
    category_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=100
    )
    item_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=500
    )
    is_active = serializers.BooleanField(required=False)

    def validate_ends_at(self, value: datetime | None) -> datetime | None:
        if value is not None and value <= timezone.now():
            raise serializers.ValidationError(
                "This time is in the past; to stop a promotion now, set is_active to false."
            )
        return value


def _scope(data: dict[str, Any]) -> dict[str, Any]:
    return {key: data.pop(key) for key in ("category_ids", "item_ids") if key in data}


class CurrentPromotionsApi(TenantApiView):
    """Offers running now (what the assistant announces)."""

    required_permissions = {"GET": PUBLIC}
    authentication_classes: list[Any] = []

    @extend_schema(
        tags=TAGS,
        responses=results_of("CurrentPromotions", PublicPromotionOut(many=True)),
    )
    def get(self, request: Request) -> Response:
        return Response({"results": PublicPromotionOut(promotion_list_current(), many=True).data})


class PromotionListApi(TenantApiView):
    required_permissions = {"GET": "promotions.view", "POST": "promotions.manage"}
    cache_resource = "promotions"
    ordering_fields = ["created", "starts_at", "ends_at", "id"]
    ordering = ["-created", "-id"]
    filter_params = tuple(PromotionFilter.base_filters)

    @extend_schema(
        tags=TAGS,
        responses=page_of(PromotionOut),
        parameters=[
            OpenApiParameter("is_active", bool),
            OpenApiParameter("automatic", bool),
            OpenApiParameter("kind", str, enum=Promotion.Kind.values),
        ],
    )
    def get(self, request: Request) -> Response:
        return Response(
            self.cached_data(
                request,
                lambda: self.paginated(
                    request, promotion_list(filters=request.query_params), PromotionOut
                ),
            )
        )

    @extend_schema(tags=TAGS, request=PromotionIn, responses={201: PromotionOut})
    def post(self, request: Request) -> Response:
        body = PromotionIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        promotion = promotion_create(actor=self.actor, **data)
        return Response(
            PromotionOut(promotion_get(promotion_id=promotion.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class PromotionDetailApi(TenantApiView):
    required_permissions = {
        "GET": "promotions.view",
        "PATCH": "promotions.manage",
        "DELETE": "promotions.manage",
    }
    cache_resource = "promotions"

    @extend_schema(tags=TAGS, responses=PromotionOut)
    def get(self, request: Request, promotion_id: int) -> Response:
        return Response(
            self.cached_data(
                request,
                lambda: PromotionOut(self.found(promotion_get(promotion_id=promotion_id))).data,
            )
        )

    @extend_schema(tags=TAGS, request=PromotionIn(partial=True), responses=PromotionOut)
    def patch(self, request: Request, promotion_id: int) -> Response:
        promotion = self.found(promotion_get(promotion_id=promotion_id))
        body = PromotionIn(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        scope = _scope(data)
        promotion_update(actor=self.actor, promotion=promotion, changes=data, **scope)
        # Read again: the prefetched categories and items may be the ones just replaced.
        return Response(PromotionOut(self.found(promotion_get(promotion_id=promotion_id))).data)

    @extend_schema(tags=TAGS, responses={204: None})
    def delete(self, request: Request, promotion_id: int) -> Response:
        promotion = self.found(promotion_get(promotion_id=promotion_id))
        promotion_delete(actor=self.actor, promotion=promotion)
        return Response(status=status.HTTP_204_NO_CONTENT)
