"""Menu REST API: the public menu and search, and staff management of categories and items."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import StrictInputSerializer, page_of, results_of, validated_query
from core.cache import cached
from core.hotpath.state import hot_path
from core.i18n import SUPPORTED_LANGUAGES, TranslatedTextField
from core.views import PUBLIC, TenantApiView
from tenant_apps.menu.models import Allergen, Category, DietaryTag, MenuItem, Option, OptionGroup
from tenant_apps.menu.selectors import (
    MenuItemFilter,
    menu_category_get,
    menu_category_list,
    menu_item_filtered,
    menu_item_get,
    menu_item_search,
    menu_tree,
)
from tenant_apps.menu.services import (
    OptionGroupInput,
    OptionInput,
    category_create,
    category_delete,
    category_update,
    menu_item_availability_set,
    menu_item_create,
    menu_item_delete,
    menu_item_update,
)

TAGS = ["menu"]


# --- output -----------------------------------------------------------------------------------
class OptionOut(serializers.ModelSerializer[Option]):
    class Meta:
        model = Option
        fields = ["id", "name", "price_delta", "is_default", "is_available", "position"]


class OptionGroupOut(serializers.ModelSerializer[OptionGroup]):
    options = OptionOut(many=True, read_only=True)

    class Meta:
        model = OptionGroup
        fields = [
            "id",
            "name",
            "required",
            "min_selections",
            "max_selections",
            "position",
            "options",
        ]


class MenuItemOut(serializers.ModelSerializer[MenuItem]):
    is_orderable = serializers.BooleanField(read_only=True)
    option_groups = OptionGroupOut(many=True, read_only=True)

    class Meta:
        model = MenuItem
        fields = [
            "id",
            "category",
            "name",
            "description",
            "price",
            "is_available",
            "out_of_stock",
            "is_orderable",
            "image_url",
            "allergens",
            "dietary_tags",
            "position",
            "option_groups",
            "created",
            "updated",
        ]


class CategoryOut(serializers.ModelSerializer[Category]):
    class Meta:
        model = Category
        fields = ["id", "name", "description", "position", "is_visible", "created", "updated"]


# --- input ------------------------------------------------------------------------------------
class OptionIn(StrictInputSerializer):
    name = TranslatedTextField(max_length=80)
    price_delta = serializers.DecimalField(
        max_digits=8, decimal_places=2, default=Decimal("0.00"), min_value=-1000, max_value=1000
    )
    is_default = serializers.BooleanField(default=False)
    is_available = serializers.BooleanField(default=True)


class OptionGroupIn(StrictInputSerializer):
    name = TranslatedTextField(max_length=80)
    min_selections = serializers.IntegerField(min_value=0, max_value=20, default=0)
    max_selections = serializers.IntegerField(min_value=1, max_value=20, default=1)
    options = serializers.ListField(child=OptionIn(), min_length=1, max_length=30)


class CategoryIn(StrictInputSerializer):
    name = TranslatedTextField(max_length=80)
    description = TranslatedTextField(max_length=500, required=False)
    position = serializers.IntegerField(min_value=0, required=False)
    is_visible = serializers.BooleanField(required=False)


class MenuItemIn(StrictInputSerializer):
    # pk_field: an id of 3.5 is a 400 (the ORM would round it down to category 3).
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), pk_field=serializers.IntegerField()
    )
    name = TranslatedTextField(max_length=120)
    description = TranslatedTextField(max_length=1000, required=False)
    price = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0)
    is_available = serializers.BooleanField(required=False)
    out_of_stock = serializers.BooleanField(required=False)
    image_url = serializers.URLField(max_length=500, required=False, allow_blank=True)
    allergens = serializers.ListField(
        child=serializers.ChoiceField(Allergen.choices), required=False, max_length=14
    )
    dietary_tags = serializers.ListField(
        child=serializers.ChoiceField(DietaryTag.choices), required=False, max_length=10
    )
    position = serializers.IntegerField(min_value=0, required=False)
    option_groups = serializers.ListField(child=OptionGroupIn(), required=False, max_length=10)


class AvailabilityIn(StrictInputSerializer):
    is_available = serializers.BooleanField(required=False)
    out_of_stock = serializers.BooleanField(required=False)


class LanguageQuery(serializers.Serializer[Any]):
    lang = serializers.ChoiceField(choices=SUPPORTED_LANGUAGES, required=False)


class SearchQuery(LanguageQuery):
    q = serializers.CharField(max_length=200)
    limit = serializers.IntegerField(min_value=1, max_value=50, default=10)


def _groups(data: list[dict[str, Any]]) -> list[OptionGroupInput]:
    return [
        OptionGroupInput(
            name=group["name"],
            min_selections=group["min_selections"],
            max_selections=group["max_selections"],
            options=[OptionInput(**option) for option in group["options"]],
        )
        for group in data
    ]


def _default_language(request: HttpRequest | Request) -> str:
    return str(request.tenant.locale or SUPPORTED_LANGUAGES[0])  # type: ignore[union-attr]


def _language(request: Request, query: dict[str, Any]) -> str:
    return str(query.get("lang") or _default_language(request))


_LANG = OpenApiParameter(
    "lang",
    str,
    enum=list(SUPPORTED_LANGUAGES),
    description="Language of names (default: the restaurant's)",
)


def _public_menu_key(language: str) -> str:
    return f"public-json:{language}"


# --- public -----------------------------------------------------------------------------------
class PublicMenuApi(TenantApiView):
    """The menu customers see: visible categories and their items, in one language."""

    required_permissions = {"GET": PUBLIC}
    authentication_classes: list[Any] = []

    # A cached public read (core.hotpath.middleware): hits are answered before the view runs.
    public_cache_resource = "menu"

    @staticmethod
    def public_cache_key(request: HttpRequest) -> str | None:
        """The cached body answering `request`; None for anything but a plain language choice
        (the view then answers, e.g. a 400 for an unknown language)."""
        query = request.GET
        requested = query.get("lang")
        if any(name != "lang" for name in query) or (
            requested is not None and requested not in SUPPORTED_LANGUAGES
        ):
            return None
        return _public_menu_key(requested or _default_language(request))

    @extend_schema(
        parameters=[_LANG],
        tags=TAGS,
        responses=inline_serializer(
            "PublicMenu",
            {
                "language": serializers.CharField(),
                "categories": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    def get(self, request: Request) -> HttpResponse:
        # Checked by hand rather than with LanguageQuery: this is the API's hottest read.
        requested = request.query_params.get("lang")
        if requested is not None and requested not in SUPPORTED_LANGUAGES:
            raise ValidationError({"lang": [f"Use one of {list(SUPPORTED_LANGUAGES)}."]})
        language = _language(request, {"lang": requested})
        # The hottest read of the API: cache the rendered body, not the data, so a hit is
        # no JSON encoding and no Redis round trip of its own (see public_cache_key).
        body = cached(
            "menu",
            _public_menu_key(language),
            lambda: JSONRenderer().render(
                {"language": language, "categories": menu_tree(language=language)}
            ),
            prefetched=hot_path(request).fetched,
        )
        return HttpResponse(body, content_type="application/json")


class MenuSearchApi(TenantApiView):
    """Search dishes by name or description; tolerant of accents and typos."""

    required_permissions = {"GET": PUBLIC}
    authentication_classes: list[Any] = []

    @extend_schema(
        parameters=[SearchQuery],
        tags=TAGS,
        responses=results_of("MenuSearchResults", MenuItemOut(many=True)),
    )
    def get(self, request: Request) -> Response:
        query = validated_query(SearchQuery, request)
        items = menu_item_search(
            query=query["q"], language=_language(request, query), limit=query["limit"]
        )
        return Response({"results": MenuItemOut(items, many=True).data})


# --- staff: categories ----------------------------------------------------------------------
class CategoryListApi(TenantApiView):
    required_permissions = {"GET": "menu.view", "POST": "menu.manage"}
    cache_resource = "menu"
    ordering_fields = ["position", "id", "created"]
    ordering = ["position", "id"]

    @extend_schema(tags=TAGS, responses=page_of(CategoryOut))
    def get(self, request: Request) -> Response:
        return Response(
            self.cached_data(
                request,
                lambda: self.paginated(
                    request, menu_category_list(visible_only=False), CategoryOut
                ),
            )
        )

    @extend_schema(tags=TAGS, request=CategoryIn, responses={201: CategoryOut})
    def post(self, request: Request) -> Response:
        body = CategoryIn(data=request.data)
        body.is_valid(raise_exception=True)
        category = category_create(actor=self.actor, **body.validated_data)
        return Response(CategoryOut(category).data, status=status.HTTP_201_CREATED)


class CategoryDetailApi(TenantApiView):
    required_permissions = {"GET": "menu.view", "PATCH": "menu.manage", "DELETE": "menu.manage"}
    cache_resource = "menu"

    @extend_schema(tags=TAGS, responses=CategoryOut)
    def get(self, request: Request, category_id: int) -> Response:
        return Response(
            self.cached_data(
                request,
                lambda: CategoryOut(self.found(menu_category_get(category_id=category_id))).data,
            )
        )

    @extend_schema(tags=TAGS, request=CategoryIn(partial=True), responses=CategoryOut)
    def patch(self, request: Request, category_id: int) -> Response:
        category = self.found(menu_category_get(category_id=category_id))
        body = CategoryIn(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        category_update(actor=self.actor, category=category, changes=body.validated_data)
        return Response(CategoryOut(category).data)

    @extend_schema(tags=TAGS, responses={204: None})
    def delete(self, request: Request, category_id: int) -> Response:
        category = self.found(menu_category_get(category_id=category_id))
        category_delete(actor=self.actor, category=category)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- staff: items -----------------------------------------------------------------------------
class MenuItemListApi(TenantApiView):
    required_permissions = {"GET": "menu.view", "POST": "menu.manage"}
    cache_resource = "menu"
    ordering_fields = ["position", "price", "id", "created", "updated"]
    ordering = ["category__position", "position", "id"]
    filter_params = tuple(MenuItemFilter.base_filters)

    @extend_schema(
        tags=TAGS,
        responses=page_of(MenuItemOut),
        parameters=[
            OpenApiParameter("category", int),
            OpenApiParameter("is_available", bool),
            OpenApiParameter("out_of_stock", bool),
            OpenApiParameter("dietary_tag", str, enum=DietaryTag.values),
            OpenApiParameter("allergen_free", str, enum=Allergen.values),
            OpenApiParameter("min_price", float),
            OpenApiParameter("max_price", float),
            OpenApiParameter(
                "ordering",
                str,
                description="position, price, id, created, updated (prefix - for descending)",
            ),
        ],
    )
    def get(self, request: Request) -> Response:
        return Response(
            self.cached_data(
                request,
                lambda: self.paginated(
                    request, menu_item_filtered(filters=request.query_params), MenuItemOut
                ),
            )
        )

    @extend_schema(tags=TAGS, request=MenuItemIn, responses={201: MenuItemOut})
    def post(self, request: Request) -> Response:
        body = MenuItemIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        groups = _groups(data.pop("option_groups", []))
        item = menu_item_create(actor=self.actor, **data, option_groups=groups)
        return Response(
            MenuItemOut(menu_item_get(item_id=item.pk)).data, status=status.HTTP_201_CREATED
        )


class MenuItemDetailApi(TenantApiView):
    required_permissions = {"GET": "menu.view", "PATCH": "menu.manage", "DELETE": "menu.manage"}
    cache_resource = "menu"

    @extend_schema(tags=TAGS, responses=MenuItemOut)
    def get(self, request: Request, item_id: int) -> Response:
        return Response(
            self.cached_data(
                request, lambda: MenuItemOut(self.found(menu_item_get(item_id=item_id))).data
            )
        )

    @extend_schema(tags=TAGS, request=MenuItemIn(partial=True), responses=MenuItemOut)
    def patch(self, request: Request, item_id: int) -> Response:
        item = self.found(menu_item_get(item_id=item_id))
        body = MenuItemIn(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        groups = _groups(data.pop("option_groups")) if "option_groups" in data else None
        menu_item_update(actor=self.actor, item=item, changes=data, option_groups=groups)
        # Read again: the prefetched option groups may be the ones just replaced.
        return Response(MenuItemOut(self.found(menu_item_get(item_id=item.pk))).data)

    @extend_schema(tags=TAGS, responses={204: None})
    def delete(self, request: Request, item_id: int) -> Response:
        item = self.found(menu_item_get(item_id=item_id))
        menu_item_delete(actor=self.actor, item=item)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MenuItemAvailabilityApi(TenantApiView):
    """Mark an item available/unavailable or sold out (kitchen staff may do this)."""

    required_permissions = {"POST": "menu.availability"}

    @extend_schema(tags=TAGS, request=AvailabilityIn, responses=MenuItemOut)
    def post(self, request: Request, item_id: int) -> Response:
        item = self.found(menu_item_get(item_id=item_id))
        body = AvailabilityIn(data=request.data)
        body.is_valid(raise_exception=True)
        menu_item_availability_set(actor=self.actor, item=item, changes=body.validated_data)
        return Response(MenuItemOut(menu_item_get(item_id=item.pk)).data)
