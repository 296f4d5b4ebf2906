# ruff: noqa: S608 - SQL from constants and quoted schema names; every value is a parameter
"""Feeding the support search index (public schema) from one restaurant's records (ADR 0010).

Each sync reads the restaurant's own tables, schema-qualified (never via search_path), and
upserts index rows labelled with that restaurant's id, in `INSERT ... SELECT` statements: the
rows never travel through Python, so a sync of a busy restaurant is a handful of statements.
Incremental by the records' `updated` time (conversations: their last message), with a small
overlap because upserts are idempotent; rows of deleted records are dropped on every sync; a
rebuild starts the restaurant over. The index keeps no text a result does not need: words as
lexemes, phones as digits, and a one-line summary with the phone masked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from shared_apps.support.models import SearchCursor, SearchEntry
from tenants.models import Restaurant

# Records committed while a sync ran may carry an `updated` just before its start.
OVERLAP = timedelta(seconds=30)
# Only the latest customer messages of a conversation are indexed (bounded rows).
CONVERSATION_MESSAGES = 200
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)

_UPSERT = """
    INSERT INTO public.{entries} (restaurant_id, kind, object_id, summary, document, updated)
    {select}
    ON CONFLICT (restaurant_id, kind, object_id) DO UPDATE
    SET summary = EXCLUDED.summary, document = EXCLUDED.document, updated = EXCLUDED.updated
"""
_WORDS = "to_tsvector('simple', lower(public.dysa_unaccent(coalesce({0}, ''))))"
_DIGITS = "regexp_replace(coalesce({0}, ''), '[^0-9]', '', 'g')"
# A phone as two lexemes: all its digits and the last nine (how people type a local number).
_PHONE = "array_to_tsvector(array_remove(ARRAY[" + _DIGITS + ", right(" + _DIGITS + ", 9)], ''))"

# SQL built from constants and the quoted schema name only; values go as parameters.
_SELECTS = {
    SearchEntry.Kind.CUSTOMER: """
        SELECT %(restaurant)s, 'customer', c.id,
            left(coalesce(nullif(c.name, ''), '(no name)')
                || ' · phone ···' || right(c.phone, 3), 200),
            {name} || {email} || {phone},
            c.updated
        FROM {schema}.customers_customer c WHERE c.updated > %(since)s
    """.format(
        name=_WORDS.format("c.name"),
        email=_WORDS.format("c.email"),
        phone=_PHONE.format("c.phone"),
        schema="{schema}",
    ),
    SearchEntry.Kind.ORDER: """
        SELECT %(restaurant)s, 'order', o.id,
            'Order #' || o.number || ' · ' || o.status || ' · ' || o.total || ' ' || o.currency
                || ' · ' || to_char(o.created, 'YYYY-MM-DD'),
            array_to_tsvector(ARRAY[o.number::text]),
            o.updated
        FROM {schema}.orders_order o WHERE o.updated > %(since)s
    """,
    SearchEntry.Kind.RESERVATION: """
        SELECT %(restaurant)s, 'reservation', r.id,
            left('Reservation ' || to_char(r.starts_at, 'YYYY-MM-DD HH24:MI') || ' UTC · '
                || r.party_size || ' people · ' || r.status || ' · '
                || coalesce(nullif(c.name, ''), '(no name)'), 200),
            {name} || {phone},
            greatest(r.updated, c.updated)
        FROM {schema}.reservations_reservation r
        JOIN {schema}.customers_customer c ON c.id = r.customer_id
        WHERE r.updated > %(since)s OR c.updated > %(since)s
    """.format(name=_WORDS.format("c.name"), phone=_PHONE.format("c.phone"), schema="{schema}"),
    SearchEntry.Kind.CONVERSATION: """
        SELECT %(restaurant)s, 'conversation', v.id,
            left(v.channel || ' conversation · ' || v.status || ' · last message '
                || to_char(coalesce(v.last_message_at, v.created), 'YYYY-MM-DD'), 200),
            {words} || {phone},
            coalesce(v.last_message_at, v.updated)
        FROM {schema}.conversations_conversation v
        WHERE coalesce(v.last_message_at, v.updated) > %(since)s
    """.format(
        words=_WORDS.format(
            "(SELECT string_agg(m.text, ' ') FROM (SELECT text FROM {schema}.conversations_message"
            " WHERE conversation_id = v.id AND direction = 'in' ORDER BY id DESC LIMIT "
            + str(CONVERSATION_MESSAGES)
            + ") m)"
        ),
        phone=_PHONE.format("v.external_id"),
        schema="{schema}",
    ),
}
_TABLES = {
    SearchEntry.Kind.CUSTOMER: "customers_customer",
    SearchEntry.Kind.ORDER: "orders_order",
    SearchEntry.Kind.RESERVATION: "reservations_reservation",
    SearchEntry.Kind.CONVERSATION: "conversations_conversation",
}
_DROP_GONE = """
    DELETE FROM public.{entries} e
    WHERE e.restaurant_id = %(restaurant)s AND e.kind = %(kind)s
      AND NOT EXISTS (SELECT 1 FROM {schema}.{table} t WHERE t.id = e.object_id)
"""


@dataclass(frozen=True)
class SyncResult:
    upserted: int
    dropped: int


def _quoted(schema_name: str) -> str:
    return connection.ops.quote_name(schema_name)


@transaction.atomic
def support_index_sync(*, restaurant: Restaurant, rebuild: bool = False) -> SyncResult:
    """Bring the index rows of `restaurant` up to date (all of them again with `rebuild`)."""
    cursor_row, _ = SearchCursor.objects.select_for_update().get_or_create(restaurant=restaurant)
    started = timezone.now()
    entries = SearchEntry._meta.db_table
    schema = _quoted(restaurant.schema_name)
    if rebuild:
        SearchEntry.objects.filter(restaurant=restaurant).delete()
        since = _EPOCH
    else:
        since = (cursor_row.indexed_up_to or _EPOCH) - OVERLAP
    params = {"restaurant": restaurant.pk, "since": since}
    upserted = dropped = 0
    with connection.cursor() as cursor:
        for kind, select in _SELECTS.items():
            sql = _UPSERT.format(entries=entries, select=select.format(schema=schema))
            cursor.execute(sql, params)
            upserted += max(cursor.rowcount, 0)
            if not rebuild:
                drop = _DROP_GONE.format(entries=entries, schema=schema, table=_TABLES[kind])
                cursor.execute(drop, {"restaurant": restaurant.pk, "kind": kind.value})
                dropped += max(cursor.rowcount, 0)
    cursor_row.indexed_up_to = started
    if rebuild:
        cursor_row.rebuilt_at = started
    cursor_row.save()
    return SyncResult(upserted=upserted, dropped=dropped)
