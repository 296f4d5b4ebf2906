"""Support reads: the cross-restaurant search and the access log."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet

from shared_apps.support.models import SearchEntry, SupportAccess

SEARCH_LIMIT = 50
_PHONE_PUNCTUATION = re.compile(r"[\s+\-().#/]")
# Local numbers: the last nine digits of an international one (see the indexer).
LOCAL_DIGITS = 9


@dataclass(frozen=True)
class SearchResult:
    restaurant: str
    restaurant_name: str
    kind: str
    id: int
    summary: str


def _query_sql(q: str) -> tuple[str, list[str]]:
    """A tsquery for `q`: a phone or number matches its digits (and its last nine), anything
    else the words (lower case, without accents)."""
    digits = _PHONE_PUNCTUATION.sub("", q)
    if digits.isdigit():
        lexemes = {digits, digits[-LOCAL_DIGITS:]} if len(digits) > LOCAL_DIGITS else {digits}
        return "to_tsquery('simple', %s)", [" | ".join(sorted(lexemes))]
    return "plainto_tsquery('simple', lower(public.dysa_unaccent(%s)))", [q]


def support_search(*, q: str, limit: int = SEARCH_LIMIT) -> list[SearchResult]:
    """Records of every live restaurant matching `q`, newest first, each labelled with the
    restaurant the index row belongs to (joined from the registry, never stored as text)."""
    q = q.strip()[:200]
    if len(q) < 2:
        return []
    tsquery, params = _query_sql(q)
    entries = SearchEntry._meta.db_table
    sql = f"""
        SELECT r.slug, r.name, e.kind, e.object_id, e.summary
        FROM public.{entries} e JOIN public.tenants_restaurant r ON r.id = e.restaurant_id
        WHERE e.document @@ {tsquery} AND r.status <> 'deleted'
        ORDER BY e.updated DESC, e.id DESC
        LIMIT %s
    """  # noqa: S608 - table names from the models, the query text is a parameter
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        return [SearchResult(*row) for row in cursor.fetchall()]


def support_access_list(*, restaurant_id: int | None = None) -> QuerySet[SupportAccess]:
    accesses = SupportAccess.objects.select_related("restaurant").prefetch_related("events")
    if restaurant_id is not None:
        accesses = accesses.filter(restaurant_id=restaurant_id)
    return accesses
