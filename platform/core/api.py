"""Building blocks shared by every REST endpoint: strict input, pagination, ordering.

The base view of the restaurant API is `core.views.TenantApiView`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from django.db.models import QuerySet
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.views import APIView

from core.numbers import parse_id


class StrictInputSerializer(serializers.Serializer[Any]):
    """An input serializer that rejects fields it does not know (a typo is not a no-op) and
    numbers or booleans given for text (DRF's CharField would turn 42 into "42")."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise ValidationError({name: ["Unknown field."] for name in unknown})
            not_text = [
                name
                for name, field in self.fields.items()
                if isinstance(field, serializers.CharField)
                and data.get(name) is not None
                and not isinstance(data[name], str)
            ]
            if not_text:
                raise ValidationError({name: ["Expected a string."] for name in not_text})
        return super().to_internal_value(data)


class NoInput(StrictInputSerializer):
    """The body of an action that takes none: nothing or `{}`; any field is unknown."""


# The query parameters every paginated list takes besides its own filters.
LIST_QUERY_PARAMS: Final = frozenset({"page", "page_size", "ordering"})


def reject_unknown_query_params(request: Request, allowed: Iterable[str]) -> None:
    """A query parameter the endpoint does not know (a misspelt filter) is a 400, not a
    silently unfiltered answer."""
    unknown = sorted(set(request.query_params) - set(allowed))
    if unknown:
        raise ValidationError({name: ["Unknown query parameter."] for name in unknown})


def _positive_int(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        return parse_id(raw)
    except ValueError:
        raise ValidationError({name: ["A whole number from 1 up."]}) from None


class StandardPagination(PageNumberPagination):
    """`?page=` and `?page_size=` (at most 200); values that are not a number from 1 up are a
    400 (DRF would answer 404 for the page and silently use the default size)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request: Request) -> int:
        size = _positive_int(request, self.page_size_query_param)
        return self.page_size if size is None else min(size, self.max_page_size)

    def get_page_number(self, request: Request, paginator: Any) -> Any:
        if request.query_params.get(self.page_query_param) in self.last_page_strings:
            return super().get_page_number(request, paginator)
        return _positive_int(request, self.page_query_param) or 1


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


def page_of(serializer_class: type[serializers.BaseSerializer[Any]]) -> Any:
    """How the OpenAPI schema describes a paginated list of `serializer_class` rows."""
    name = serializer_class.__name__.removesuffix("Out").removesuffix("Serializer")
    return inline_serializer(
        f"Paginated{name}List",
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer_class(many=True),
        },
    )


def results_of(name: str, item: serializers.BaseSerializer[Any]) -> Any:
    """How the OpenAPI schema describes an unpaginated `{"results": [...]}` answer; `item` is
    a serializer instance with many=True."""
    return inline_serializer(name, {"results": item})


def validated_query(
    serializer_class: type[serializers.Serializer[Any]],
    request: Request,
    *,
    also: Iterable[str] = (),
) -> dict[str, Any]:
    """Parse query parameters with a serializer; bad values are a 400 with field errors, and
    so are parameters it does not know (`also` names others the endpoint takes)."""
    serializer = serializer_class(data=request.query_params)
    reject_unknown_query_params(request, {*serializer.fields, *also})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
