# ruff: noqa: S608 - SQL from constants and quoted schema names; every value is a parameter
"""Support search across every restaurant: the public-schema index vs a loop over schemas.

A fleet of restaurants (1,000; 200 with --quick) each gets realistic data written straight in
SQL (customers with phones and emails, orders, reservations, conversations with customer
messages); some phones are shared between restaurants, as real customers are. Then:

- index: `support_index_sync` builds each restaurant's rows (timed, total and per restaurant),
  and `support_search` answers a mix of queries (phone, local phone, email, order number,
  customer name, conversation words) — the p95 is the figure (target < 1 s);
- baseline (same run): the naive way, for each schema the same question asked of its
  customers, orders, reservations and messages tables (a handful of samples: it is slow).
"""

from __future__ import annotations

import random
import time
from typing import Any

from tests.benchmarks.fleet import ensure_fleet
from tests.benchmarks.harness import (
    BenchContext,
    prepare_bench_database,
    summarize_ms,
    target,
)

WORDS = (
    "hola",
    "quiero",
    "pedir",
    "una",
    "pizza",
    "margarita",
    "grande",
    "para",
    "llevar",
    "a",
    "que",
    "hora",
    "cerrais",
    "tenéis",
    "mesa",
    "para",
    "cuatro",
    "esta",
    "noche",
    "sin",
    "gluten",
    "alergia",
    "frutos",
    "secos",
    "gracias",
    "la",
    "cuenta",
    "por",
    "favor",
    "domicilio",
    "calle",
    "mayor",
    "reservar",
    "cumpleaños",
    "terraza",
    "vegano",
    "postre",
    "tarta",
    "chocolate",
)
NAMES = (
    "Lucía", "Mateo", "Sofía", "Hugo", "Martina", "Leo", "Valeria", "Daniel", "Paula",
    "Álvaro", "Carmen", "Javier", "Elena", "Pablo", "Irene", "Mark", "Emma", "Noah",
)  # fmt: skip
SURNAMES = (
    "García", "López", "Martín", "Sánchez", "Pérez", "Gómez", "Ruiz", "Díaz", "Moreno",
    "Muñoz", "Álvarez", "Romero", "Navarro", "Torres", "Smith", "Brown",
)  # fmt: skip


def _seed_sql(schema: str, sizes: dict[str, int], seed: int) -> list[tuple[str, list[Any]]]:
    """Statements that fill one restaurant (explicit columns: no database defaults exist)."""
    q = f'"{schema}"'
    names = list(NAMES)
    surnames = list(SURNAMES)
    words = list(WORDS)
    return [
        (
            f"""INSERT INTO {q}.customers_customer
                (name, phone, email, language, marketing_consent, notes, created, updated)
            SELECT (%s::text[])[1 + (g * 7 + %s) %% %s]
                     || ' ' || (%s::text[])[1 + (g * 13) %% %s],
                   -- one phone in ten comes from a shared pool: the same person elsewhere
                   CASE WHEN g %% 10 = 0 THEN '+3460' || lpad(((g * 31) %% 5000)::text, 7, '0')
                        ELSE '+346' || lpad((%s * 100000 + g)::text, 8, '0') END,
                   'cliente' || g || '.' || %s || '@example.com', 'es', false, '',
                   now() - (g || ' hours')::interval, now() - (g || ' hours')::interval
            FROM generate_series(1, %s) g""",
            [names, seed, len(names), surnames, len(surnames), seed, seed, sizes["customers"]],
        ),
        (
            f"""INSERT INTO {q}.orders_order
                (number, customer_id, channel, order_type, status, "table", address, currency,
                 subtotal, discount, total, promotion_code, notes, cancel_reason, created, updated)
            SELECT g, (SELECT min(id) FROM {q}.customers_customer) + (g %% %s), 'web', 'pickup',
                   'completed', '', '', 'EUR', 20, 0, 20, '', '', '',
                   now() - (g || ' hours')::interval, now() - (g || ' hours')::interval
            FROM generate_series(1, %s) g""",
            [sizes["customers"], sizes["orders"]],
        ),
        (
            f"""INSERT INTO {q}.reservations_reservation
                (customer_id, starts_at, ends_at, party_size, status, channel, notes,
                 cancel_reason, created, updated)
            SELECT (SELECT min(id) FROM {q}.customers_customer) + (g * 3 %% %s),
                   now() + (g || ' hours')::interval, now() + (g + 2 || ' hours')::interval,
                   2 + g %% 5, 'confirmed', 'web', '', '', now(), now()
            FROM generate_series(1, %s) g""",
            [sizes["customers"], sizes["reservations"]],
        ),
        (
            f"""INSERT INTO {q}.conversations_conversation
                (channel, external_id, language, status, llm_prompt_tokens,
                 llm_completion_tokens, created, updated, last_message_at)
            SELECT 'web', '', 'es', 'closed', 0, 0, now(), now(),
                   now() - (g || ' minutes')::interval
            FROM generate_series(1, %s) g""",
            [sizes["conversations"]],
        ),
        (
            f"""INSERT INTO {q}.conversations_message
                (conversation_id, channel, direction, sender, text, provider_message_id,
                 delivery_status, created)
            SELECT c.id, 'web', CASE WHEN m %% 2 = 0 THEN 'in' ELSE 'out' END,
                   CASE WHEN m %% 2 = 0 THEN 'customer' ELSE 'assistant' END,
                   (%s::text[])[1 + (c.id * 7 + m) %% %s]
                     || ' ' || (%s::text[])[1 + (c.id * 3 + m * 5) %% %s]
                     || ' ' || (%s::text[])[1 + (c.id + m * 11 + %s) %% %s]
                     || CASE WHEN c.id %% 97 = 0 AND m = 2 THEN ' zarzamora' || %s ELSE '' END,
                   '', 'sent', now()
            FROM {q}.conversations_conversation c, generate_series(1, %s) m""",
            [
                words,
                len(words),
                words,
                len(words),
                words,
                seed,
                len(words),
                seed % 20,
                sizes["messages"],
            ],
        ),
    ]


def _seed_fleet(slugs: list[str], sizes: dict[str, int]) -> float:
    from django.db import connection, transaction

    from tenants.models import Restaurant

    started = time.perf_counter()
    restaurants = list(Restaurant.objects.filter(slug__in=slugs).order_by("slug"))
    for index, restaurant in enumerate(restaurants):
        schema = restaurant.schema_name
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT count(*) FROM "{schema}".customers_customer')
            if cursor.fetchone()[0] >= sizes["customers"]:
                continue
        with transaction.atomic(), connection.cursor() as cursor:
            for sql, params in _seed_sql(schema, sizes, index):
                cursor.execute(sql, params)
    return time.perf_counter() - started


def _build_index(slugs: list[str]) -> list[float]:
    from tenant_apps.support_access.indexing import support_index_sync
    from tenants.models import Restaurant

    samples = []
    for restaurant in Restaurant.objects.filter(slug__in=slugs):
        started = time.perf_counter()
        support_index_sync(restaurant=restaurant, rebuild=True)
        samples.append(time.perf_counter() - started)
    return samples


def _queries(count: int) -> list[str]:
    rng = random.Random(14)
    queries = []
    for i in range(count):
        kind = i % 6
        if kind == 0:  # a shared phone, international format
            queries.append(f"+34 60{rng.randrange(0, 5000) * 31 % 5000:07d}")
        elif kind == 1:  # a local number (last nine digits) of a shared phone
            queries.append(f"60{rng.randrange(0, 5000) * 31 % 5000:07d}")
        elif kind == 2:
            queries.append(f"cliente{rng.randrange(1, 50)}.{rng.randrange(0, 150)}@example.com")
        elif kind == 3:
            queries.append(f"#{rng.randrange(1, 80)}")
        elif kind == 4:
            queries.append(f"{rng.choice(NAMES)} {rng.choice(SURNAMES)}")
        else:
            queries.append(f"zarzamora{rng.randrange(0, 20)}")
    return queries


def _naive_search(q: str, schemas: list[str]) -> int:
    """The loop over schemas: every restaurant asked the same question, one after another."""
    from django.db import connection

    digits = "".join(ch for ch in q if ch.isdigit())
    like = f"%{q.strip('#')}%"
    found = 0
    with connection.cursor() as cursor:
        for schema in schemas:
            s = f'"{schema}"'
            cursor.execute(
                f"SELECT id FROM {s}.customers_customer WHERE phone LIKE %s OR email ILIKE %s"
                " OR name ILIKE %s LIMIT 50",
                [f"%{digits}" if digits else "-", like, like],
            )
            found += len(cursor.fetchall())
            if digits and q.startswith("#"):
                cursor.execute(f"SELECT id FROM {s}.orders_order WHERE number = %s", [int(digits)])
                found += len(cursor.fetchall())
            cursor.execute(
                f"SELECT r.id FROM {s}.reservations_reservation r JOIN {s}.customers_customer c"
                " ON c.id = r.customer_id WHERE c.name ILIKE %s LIMIT 50",
                [like],
            )
            found += len(cursor.fetchall())
            cursor.execute(
                f"SELECT DISTINCT conversation_id FROM {s}.conversations_message"
                " WHERE direction = 'in' AND text ILIKE %s LIMIT 50",
                [like],
            )
            found += len(cursor.fetchall())
    return found


def run(ctx: BenchContext) -> dict[str, Any]:
    from shared_apps.support.selectors import support_search
    from tenants.models import Restaurant

    prepare_bench_database()
    count = ctx.size(ctx.tenants, 200)
    sizes = {
        "customers": ctx.size(200, 60),
        "orders": ctx.size(300, 80),
        "reservations": ctx.size(40, 15),
        "conversations": ctx.size(100, 30),
        "messages": ctx.size(6, 4),
    }
    slugs = ensure_fleet(count)
    seed_seconds = _seed_fleet(slugs, sizes)
    index_samples = _build_index(slugs)
    schemas = list(Restaurant.objects.filter(slug__in=slugs).values_list("schema_name", flat=True))

    queries = _queries(ctx.size(120, 60))
    for q in queries[:6]:  # warm the index pages once, as a running service would be
        support_search(q=q)
    results: list[int] = []
    samples = []
    for q in queries:
        started = time.perf_counter()
        results.append(len(support_search(q=q)))
        samples.append(time.perf_counter() - started)
    indexed = summarize_ms(samples)

    baseline_queries = queries[: ctx.size(6, 6)]
    baseline_samples: list[float] = []
    for q in baseline_queries:
        started = time.perf_counter()
        _naive_search(q, schemas)
        baseline_samples.append(time.perf_counter() - started)
    baseline = summarize_ms(baseline_samples)

    from shared_apps.support.models import SearchEntry

    return {
        "restaurants": count,
        "rows_per_restaurant": sizes,
        "index_rows": SearchEntry.objects.filter(restaurant__slug__in=slugs).count(),
        "seed_seconds": round(seed_seconds, 1),
        "index_build_per_restaurant": summarize_ms(index_samples),
        "index_build_total_s": round(sum(index_samples), 1),
        "search_indexed": indexed,
        "results_per_query_mean": round(sum(results) / len(results), 1),
        "search_naive_loop_baseline": baseline,
        "speedup_p50": round(baseline["p50_ms"] / max(indexed["p50_ms"], 0.001), 1),
        "targets": {
            "support search p95 over the fleet": target(indexed["p95_ms"], 1000, unit="ms"),
            "indexed p50 faster than the per-schema loop": target(
                baseline["p50_ms"] / max(indexed["p50_ms"], 0.001),
                10,
                unit="x",
                higher_is_better=True,
            ),
        },
    }
