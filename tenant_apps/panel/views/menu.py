"""Menu: categories and items in both languages, option groups, allergens and dietary tags,
one-tap availability, ordering and search, through the menu services and permissions."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.actors import Actor
from core.api_errors import Conflict
from core.i18n import localized
from tenant_apps.menu.models import Category, MenuItem
from tenant_apps.menu.selectors import (
    menu_category_get,
    menu_category_list,
    menu_item_get,
    menu_item_list,
    menu_item_search,
)
from tenant_apps.menu.services import (
    category_create,
    category_delete,
    category_update,
    menu_item_availability_set,
    menu_item_create,
    menu_item_delete,
    menu_item_update,
)
from tenant_apps.panel.access import panel_page, require
from tenant_apps.panel.forms import add_service_errors
from tenant_apps.panel.menu_forms import ALLERGEN_LABELS, DIETARY_LABELS, CategoryForm, MenuItemForm
from tenant_apps.panel.views.common import fragment, page


def _menu_context(request: HttpRequest) -> dict[str, Any]:
    query = request.GET.get("q", "").strip()
    language = get_language() or "es"
    if query:
        found = menu_item_search(query=query, language=language, limit=50)
        return {"query": query, "results": found, "categories": []}
    categories = list(menu_category_list(visible_only=False))
    items = list(menu_item_list())
    by_category: dict[int, list[MenuItem]] = {}
    for item in items:
        by_category.setdefault(item.category_id, []).append(item)
    return {
        "query": "",
        "results": None,
        "categories": [
            {"category": category, "items": by_category.get(category.pk, [])}
            for category in categories
        ],
        "allergen_labels": ALLERGEN_LABELS,
        "dietary_labels": DIETARY_LABELS,
    }


@require_GET
@panel_page("menu.view")
def menu(request: HttpRequest) -> HttpResponse:
    return page(request, "panel/menu/menu.html", _menu_context(request), active="menu")


def _item_or_404(item_id: int) -> MenuItem:
    item = menu_item_get(item_id=item_id)
    if item is None:
        raise Http404("No such item in this restaurant.")
    return item


@require_POST
@panel_page("menu.view")
def availability(request: HttpRequest, item_id: int) -> HttpResponse:
    """One tap: sold out <-> back in stock."""
    require(request, "menu.availability")
    item = _item_or_404(item_id)
    menu_item_availability_set(
        actor=Actor.of(request.user), item=item, changes={"out_of_stock": not item.out_of_stock}
    )
    if getattr(request, "htmx", False):
        return fragment(request, "panel/menu/_item_row.html", {"item": _item_or_404(item_id)})
    return HttpResponseRedirect("/panel/menu/")


def _swap_positions(rows: list[Any], *, index: int, direction: str, update: Any) -> None:
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(rows):
        return
    # Positions may tie (0, 0, ...): renumber the run first so the swap is visible.
    with transaction.atomic():
        rows[index], rows[other] = rows[other], rows[index]
        for position, row in enumerate(rows):
            if row.position != position:
                update(row, position)  # each moved row is audited by its update service


@require_POST
@panel_page("menu.view")
def move_item(request: HttpRequest, item_id: int) -> HttpResponse:
    require(request, "menu.manage")
    item = _item_or_404(item_id)
    siblings = list(menu_item_list(category_id=item.category_id))
    index = next(i for i, row in enumerate(siblings) if row.pk == item.pk)
    actor = Actor.of(request.user)
    _swap_positions(
        siblings,
        index=index,
        direction=request.POST.get("direction", ""),
        update=lambda row, position: menu_item_update(
            actor=actor, item=row, changes={"position": position}
        ),
    )
    return HttpResponseRedirect(f"/panel/menu/#item-{item.pk}")


@require_POST
@panel_page("menu.view")
def move_category(request: HttpRequest, category_id: int) -> HttpResponse:
    require(request, "menu.manage")
    category = menu_category_get(category_id=category_id)
    if category is None:
        raise Http404("No such category in this restaurant.")
    categories = list(menu_category_list(visible_only=False))
    index = next(i for i, row in enumerate(categories) if row.pk == category.pk)
    actor = Actor.of(request.user)
    _swap_positions(
        categories,
        index=index,
        direction=request.POST.get("direction", ""),
        update=lambda row, position: category_update(
            actor=actor, category=row, changes={"position": position}
        ),
    )
    return HttpResponseRedirect(f"/panel/menu/#category-{category.pk}")


@require_http_methods(["GET", "POST"])
@panel_page("menu.view")
def category_form(request: HttpRequest, category_id: int | None = None) -> HttpResponse:
    require(request, "menu.manage")
    category: Category | None = None
    initial: dict[str, Any] = {}
    if category_id is not None:
        category = menu_category_get(category_id=category_id)
        if category is None:
            raise Http404("No such category in this restaurant.")
        initial = {
            "name_es": category.name.get("es", ""),
            "name_en": category.name.get("en", ""),
            "is_visible": category.is_visible,
        }
    form = CategoryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actor = Actor.of(request.user)
            if category is None:
                saved = category_create(actor=actor, **form.service_kwargs())
            else:
                saved = category_update(
                    actor=actor, category=category, changes=form.service_kwargs()
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return HttpResponseRedirect(f"/panel/menu/#category-{saved.pk}")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "category": category}
    return page(request, "panel/menu/category_form.html", context, active="menu", status=status)


@require_http_methods(["GET", "POST"])
@panel_page("menu.view")
def item_form(request: HttpRequest, item_id: int | None = None) -> HttpResponse:
    require(request, "menu.manage")
    item = _item_or_404(item_id) if item_id is not None else None
    initial = MenuItemForm.initial_for(item) if item is not None else {}
    if item is None and request.GET.get("category"):
        initial["category"] = request.GET["category"]
    categories = menu_category_list(visible_only=False)
    form = MenuItemForm(request.POST or None, initial=initial, categories=categories)
    if request.method == "POST" and form.is_valid():
        groups = form.option_groups()
        try:
            actor = Actor.of(request.user)
            fields = form.item_fields()
            if item is None:
                saved = menu_item_create(actor=actor, **fields, option_groups=groups)
            else:
                saved = menu_item_update(
                    actor=actor, item=item, changes=fields, option_groups=groups
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return HttpResponseRedirect(f"/panel/menu/#item-{saved.pk}")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "item": item}
    return page(request, "panel/menu/item_form.html", context, active="menu", status=status)


def _confirm_delete(
    request: HttpRequest, *, heading: str, name: str, error: str = "", status: int = 200
) -> HttpResponse:
    context = {
        "heading": heading,
        "name": name,
        "action": request.path,
        "back_url": "/panel/menu/",
        "back_label": _("Menu"),
        "error": error,
    }
    return page(request, "panel/confirm_delete.html", context, active="menu", status=status)


@require_http_methods(["GET", "POST"])
@panel_page("menu.view")
def item_delete(request: HttpRequest, item_id: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes through `menu_item_delete`."""
    require(request, "menu.manage")
    item = _item_or_404(item_id)
    if request.method == "POST":
        menu_item_delete(actor=Actor.of(request.user), item=item)
        return HttpResponseRedirect("/panel/menu/")
    return _confirm_delete(
        request, heading=_("Delete item"), name=localized(item.name, get_language() or "es")
    )


@require_http_methods(["GET", "POST"])
@panel_page("menu.view")
def category_delete_view(request: HttpRequest, category_id: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes, or shows why not (it still has items)."""
    require(request, "menu.manage")
    category = menu_category_get(category_id=category_id)
    if category is None:
        raise Http404("No such category in this restaurant.")
    name = localized(category.name, get_language() or "es")
    if request.method == "POST":
        try:
            category_delete(actor=Actor.of(request.user), category=category)
        except Conflict as error:
            heading = _("Delete category")
            return _confirm_delete(
                request, heading=heading, name=name, error=str(error.detail), status=409
            )
        return HttpResponseRedirect("/panel/menu/")
    return _confirm_delete(request, heading=_("Delete category"), name=name)
