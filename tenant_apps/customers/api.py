"""Customers REST API (staff)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import StrictInputSerializer, page_of
from core.i18n import SUPPORTED_LANGUAGES
from core.views import TenantApiView
from tenant_apps.customers.models import Customer
from tenant_apps.customers.selectors import (
    CustomerFilter,
    customer_get_uncached,
    customer_list,
)
from tenant_apps.customers.services import customer_create, customer_delete, customer_update

TAGS = ["customers"]


class CustomerOut(serializers.ModelSerializer[Customer]):
    class Meta:
        model = Customer
        fields = [
            "id",
            "name",
            "phone",
            "email",
            "language",
            "marketing_consent",
            "marketing_consent_at",
            "notes",
            "created",
            "updated",
        ]


class CustomerIn(StrictInputSerializer):
    phone = serializers.CharField(max_length=32)
    name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    language = serializers.ChoiceField(
        choices=SUPPORTED_LANGUAGES, required=False, allow_blank=True
    )
    marketing_consent = serializers.BooleanField(required=False)
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class CustomerListApi(TenantApiView):
    required_permissions = {"GET": "customers.view", "POST": "customers.create"}
    cache_resource = "customers"
    ordering_fields = ["created", "name", "id"]
    ordering = ["-created", "-id"]
    filter_params = tuple(CustomerFilter.base_filters)

    @extend_schema(
        tags=TAGS,
        responses=page_of(CustomerOut),
        parameters=[
            OpenApiParameter("search", str, description="name, phone or email contains"),
            OpenApiParameter("language", str),
            OpenApiParameter("marketing_consent", bool),
            OpenApiParameter("ordering", str, description="created, name, id (- for descending)"),
        ],
    )
    def get(self, request: Request) -> Response:
        return Response(
            self.cached_data(
                request,
                lambda: self.paginated(
                    request, customer_list(filters=request.query_params), CustomerOut
                ),
            )
        )

    @extend_schema(tags=TAGS, request=CustomerIn, responses={201: CustomerOut})
    def post(self, request: Request) -> Response:
        body = CustomerIn(data=request.data)
        body.is_valid(raise_exception=True)
        customer = customer_create(actor=self.actor, **body.validated_data)
        return Response(CustomerOut(customer).data, status=status.HTTP_201_CREATED)


class CustomerDetailApi(TenantApiView):
    required_permissions = {
        "GET": "customers.view",
        "PATCH": "customers.update",
        "DELETE": "customers.delete",
    }
    cache_resource = "customers"

    @extend_schema(tags=TAGS, responses=CustomerOut)
    def get(self, request: Request, customer_id: int) -> Response:
        return Response(
            self.cached_data(
                request,
                lambda: (
                    CustomerOut(self.found(customer_get_uncached(customer_id=customer_id))).data
                ),
            )
        )

    @extend_schema(tags=TAGS, request=CustomerIn(partial=True), responses=CustomerOut)
    def patch(self, request: Request, customer_id: int) -> Response:
        customer = self.found(customer_get_uncached(customer_id=customer_id))
        body = CustomerIn(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        updated = customer_update(actor=self.actor, customer=customer, changes=body.validated_data)
        return Response(CustomerOut(updated).data)

    @extend_schema(tags=TAGS, responses={204: None})
    def delete(self, request: Request, customer_id: int) -> Response:
        customer = self.found(customer_get_uncached(customer_id=customer_id))
        customer_delete(actor=self.actor, customer=customer)
        return Response(status=status.HTTP_204_NO_CONTENT)
