"""Applying django-filter FilterSets in selectors, with bad values as a 400."""

from __future__ import annotations

from typing import Any, TypeVar

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import QueryDict

M = TypeVar("M", bound=Model)


def apply_filters(
    filterset_class: type[django_filters.FilterSet],
    filters: QueryDict | dict[str, Any] | None,
    queryset: QuerySet[M],
) -> QuerySet[M]:
    """Narrow `queryset` by the filters present; an unparsable value is a ValidationError
    naming the parameter, never silently ignored."""
    filterset = filterset_class(filters or {}, queryset=queryset)
    if not filterset.is_valid():
        raise ValidationError({name: list(errors) for name, errors in filterset.errors.items()})
    result: QuerySet[M] = filterset.qs
    return result
