"""Reads of the menu: lists, one item, accent- and typo-tolerant search, the public menu tree."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Final

import django_filters
from django.db import connection
from django.db.models import Prefetch, QuerySet

from core.cache import cached
from core.filters import apply_filters
from core.i18n import SUPPORTED_LANGUAGES, localized
from tenant_apps.menu.models import Allergen, Category, DietaryTag, MenuItem, Option, OptionGroup

SEARCH_CONFIGS: Final = {
    "es": ("public.dysa_es", "search_es"),
    "en": ("public.dysa_en", "search_en"),
}
MAX_QUERY_LENGTH: Final = 200
MAX_QUERY_WORDS: Final = 8
MAX_SEARCH_RESULTS: Final = 50
_WORD = re.compile(r"\w+", re.UNICODE)
# Words too common to say anything about a dish; trigram matching would find them everywhere.
_STOPWORDS: Final = frozenset(
    (
        "con",
        "sin",
        "una",
        "uno",
        "unos",
        "unas",
        "los",
        "las",
        "del",
        "por",
        "para",
        "que",
        "quiero",
        "queria",
        "quisiera",
        "tienen",
        "tiene",
        "hay",
        "dame",
        "ponme",
        "the",
        "and",
        "with",
        "without",
        "want",
        "would",
        "like",
        "have",
        "some",
        "any",
        "please",
    )
)


def _item_queryset() -> QuerySet[MenuItem]:
    options = Option.objects.order_by("position", "id")
    groups = OptionGroup.objects.order_by("position", "id").prefetch_related(
        Prefetch("options", queryset=options)
    )
    return MenuItem.objects.select_related("category").prefetch_related(
        Prefetch("option_groups", queryset=groups)
    )


def menu_category_list(*, visible_only: bool = True) -> QuerySet[Category]:
    queryset = Category.objects.order_by("position", "id")
    if visible_only:
        queryset = queryset.filter(is_visible=True)
    return queryset


def menu_category_get(*, category_id: int) -> Category | None:
    return Category.objects.filter(pk=category_id).first()


def menu_item_list(
    *, category_id: int | None = None, available_only: bool = False
) -> QuerySet[MenuItem]:
    queryset = _item_queryset().order_by("category__position", "position", "id")
    if category_id is not None:
        queryset = queryset.filter(category_id=category_id)
    if available_only:
        queryset = queryset.filter(is_available=True, out_of_stock=False, category__is_visible=True)
    return queryset


def menu_item_get(*, item_id: int) -> MenuItem | None:
    return _item_queryset().filter(pk=item_id).first()


class MenuItemFilter(django_filters.FilterSet):
    category = django_filters.NumberFilter(field_name="category_id")
    is_available = django_filters.BooleanFilter()
    out_of_stock = django_filters.BooleanFilter()
    dietary_tag = django_filters.ChoiceFilter(
        choices=DietaryTag.choices,
        method="filter_dietary_tag",
    )
    allergen_free = django_filters.ChoiceFilter(
        choices=Allergen.choices,
        method="filter_allergen_free",
        label="Only items without this allergen",
    )
    min_price = django_filters.NumberFilter(field_name="price", lookup_expr="gte")
    max_price = django_filters.NumberFilter(field_name="price", lookup_expr="lte")

    class Meta:
        model = MenuItem
        fields: list[str] = []

    def filter_dietary_tag(
        self, queryset: QuerySet[MenuItem], name: str, value: str
    ) -> QuerySet[MenuItem]:
        return queryset.filter(dietary_tags__contains=[value]) if value else queryset

    def filter_allergen_free(
        self, queryset: QuerySet[MenuItem], name: str, value: str
    ) -> QuerySet[MenuItem]:
        return queryset.exclude(allergens__contains=[value]) if value else queryset


def menu_item_filtered(*, filters: dict[str, Any]) -> QuerySet[MenuItem]:
    """Staff listing: every item, narrowed by the MenuItemFilter fields present in `filters`."""
    return apply_filters(MenuItemFilter, filters, menu_item_list())


def _query_words(query: str) -> list[str]:
    words = [w for w in _WORD.findall(query.lower()) if len(w) >= 3 and w not in _STOPWORDS]
    return list(dict.fromkeys(words))[:MAX_QUERY_WORDS]


def menu_item_search(
    *, query: str, language: str, limit: int = 10, available_only: bool = False
) -> list[MenuItem]:
    """Items of visible categories matching `query`, best first.

    Two indexed matchers, either one suffices: full-text search in `language` through a text
    search configuration that unaccents and stems ("jalapeno" finds "jalapeño", "burgers" finds
    "burger"), and trigram word similarity on the unaccented names in every language
    ("hamburgesa" finds "hamburguesa"). Callers check `is_orderable` before offering an item.
    """
    text = query.strip()[:MAX_QUERY_LENGTH]
    words = _query_words(text)
    if not words:
        return []
    config, vector = SEARCH_CONFIGS.get(language, SEARCH_CONFIGS["es"])
    limit = max(1, min(limit, MAX_SEARCH_RESULTS))
    params: dict[str, Any] = {
        "config": config,
        "words_or": " or ".join(words),
        "text": " ".join(words),
        "limit": limit,
    }
    trigram = ["lower(public.dysa_unaccent(%(text)s)) <%% i.search_names"]
    for index, word in enumerate(words):
        params[f"w{index}"] = word
        trigram.append(f"lower(public.dysa_unaccent(%(w{index})s)) <%% i.search_names")
    availability = "AND i.is_available AND NOT i.out_of_stock" if available_only else ""
    sql = f"""
        SELECT i.id
        FROM menu_menuitem i
        JOIN menu_category c ON c.id = i.category_id
        CROSS JOIN websearch_to_tsquery(%(config)s::regconfig, %(words_or)s) AS q
        WHERE c.is_visible {availability}
          AND (i.{vector} @@ q OR {" OR ".join(trigram)})
        ORDER BY ts_rank_cd(i.{vector}, q)
                 + word_similarity(lower(public.dysa_unaccent(%(text)s)), i.search_names) DESC,
                 c.position, i.position, i.id
        LIMIT %(limit)s
    """  # noqa: S608 - identifiers come from SEARCH_CONFIGS, values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [row[0] for row in cursor.fetchall()]
    items = _item_queryset().in_bulk(ids)
    return [items[item_id] for item_id in ids if item_id in items]


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _option_group_tree(group: OptionGroup, language: str) -> dict[str, Any]:
    return {
        "id": group.pk,
        "name": group.name_in(language),
        "required": group.required,
        "min_selections": group.min_selections,
        "max_selections": group.max_selections,
        "options": [
            {
                "id": option.pk,
                "name": option.name_in(language),
                "price_delta": _money(option.price_delta),
                "is_default": option.is_default,
                "is_available": option.is_available,
            }
            for option in group.options.all()
        ],
    }


def _menu_tree_from_database(language: str) -> list[dict[str, Any]]:
    items_by_category: dict[int, list[MenuItem]] = {}
    for item in menu_item_list().filter(is_available=True):
        items_by_category.setdefault(item.category_id, []).append(item)
    return [
        {
            "id": category.pk,
            "name": category.name_in(language),
            "description": localized(category.description, language),
            "items": [
                {
                    "id": item.pk,
                    "name": item.name_in(language),
                    "description": item.description_in(language),
                    "price": _money(item.price),
                    "available": item.is_orderable,
                    "image_url": item.image_url,
                    "allergens": list(item.allergens),
                    "dietary_tags": list(item.dietary_tags),
                    "option_groups": [
                        _option_group_tree(group, language) for group in item.option_groups.all()
                    ],
                }
                for item in items_by_category.get(category.pk, [])
            ],
        }
        for category in menu_category_list(visible_only=True)
    ]


def menu_tree(*, language: str) -> list[dict[str, Any]]:
    """The public menu in one language: visible categories, their items and options (cached)."""
    language = language if language in SUPPORTED_LANGUAGES else SUPPORTED_LANGUAGES[0]
    return cached("menu", f"tree:{language}", lambda: _menu_tree_from_database(language))
