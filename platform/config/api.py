"""Building blocks shared by every REST endpoint: strict input, pagination, ordering."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.views import APIView


class StrictInputSerializer(serializers.Serializer[Any]):
    """An input serializer that rejects fields it does not know (a typo is not a no-op)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class StrictOrderingFilter(OrderingFilter):
    """`?ordering=` limited to the view's `ordering_fields`; anything else is a 400."""

    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: APIView) -> Any:
        params = request.query_params.get(self.ordering_param)
        if params:
            allowed = {
                name for name, _ in self.get_valid_fields(queryset, view, {"request": request})
            }
            requested = [term.strip() for term in params.split(",") if term.strip()]
            bad = [term for term in requested if term.lstrip("-") not in allowed]
            if bad:
                raise ValidationError(
                    {
                        self.ordering_param: [
                            f"Cannot order by {', '.join(bad)}; use one of {sorted(allowed)}."
                        ]
                    }
                )
        return super().get_ordering(request, queryset, view)


def validated_query(
    serializer_class: type[serializers.Serializer[Any]], request: Request
) -> dict[str, Any]:
    """Parse query parameters with a serializer; bad values are a 400 with field errors."""
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
