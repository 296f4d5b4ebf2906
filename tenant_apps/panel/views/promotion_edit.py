"""Edit an existing promotion: its terms, limits and scope (categories and items it applies
to), through `promotion_update` with the API's promotions.manage permission."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from core.actors import Actor
from core.i18n import localized
from tenant_apps.menu.selectors import menu_category_list, menu_item_list
from tenant_apps.panel.access import panel_page, require
from tenant_apps.panel.forms import add_service_errors
from tenant_apps.panel.views.common import page
from tenant_apps.panel.views.records import PromotionForm
from tenant_apps.promotions.models import Promotion
from tenant_apps.promotions.selectors import promotion_get
from tenant_apps.promotions.services import promotion_update


class PromotionEditForm(PromotionForm):
    max_redemptions = forms.IntegerField(
        label=_("Uses in total"), min_value=1, required=False, help_text=_("Empty: no limit.")
    )
    max_redemptions_per_customer = forms.IntegerField(
        label=_("Uses per customer"), min_value=1, required=False, help_text=_("Empty: no limit.")
    )
    category_ids = forms.TypedMultipleChoiceField(
        label=_("Categories"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("None and no items: the whole order."),
    )  # fmt: skip
    item_ids = forms.TypedMultipleChoiceField(
        label=_("Items"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = get_language() or "es"
        category_field = self.fields["category_ids"]
        item_field = self.fields["item_ids"]
        assert isinstance(category_field, forms.TypedMultipleChoiceField)
        assert isinstance(item_field, forms.TypedMultipleChoiceField)
        category_field.choices = [
            (row.pk, localized(row.name, language))
            for row in menu_category_list(visible_only=False)
        ]
        item_field.choices = [(row.pk, localized(row.name, language)) for row in menu_item_list()]

    def scope(self) -> dict[str, list[int]]:
        return {key: self.cleaned_data.pop(key) for key in ("category_ids", "item_ids")}

    @staticmethod
    def initial_for(promotion: Promotion) -> dict[str, Any]:
        def local(value: Any) -> str:
            return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M") if value else ""

        return {
            "name_es": promotion.name.get("es", ""),
            "name_en": promotion.name.get("en", ""),
            "kind": promotion.kind,
            "value": promotion.value,
            "code": promotion.code or "",
            "min_order_total": promotion.min_order_total,
            "starts_at": local(promotion.starts_at),
            "ends_at": local(promotion.ends_at),
            "max_redemptions": promotion.max_redemptions,
            "max_redemptions_per_customer": promotion.max_redemptions_per_customer,
            "category_ids": list(promotion.categories.values_list("pk", flat=True)),
            "item_ids": list(promotion.items.values_list("pk", flat=True)),
        }


@require_http_methods(["GET", "POST"])
@panel_page("promotions.view")
def promotion_edit(request: HttpRequest, promotion_id: int) -> HttpResponse:
    require(request, "promotions.manage")
    promotion = promotion_get(promotion_id=promotion_id)
    if promotion is None:
        raise Http404("No such promotion in this restaurant.")
    initial = PromotionEditForm.initial_for(promotion)
    form = PromotionEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        scope = form.scope()
        try:
            promotion_update(
                actor=Actor.of(request.user),
                promotion=promotion,
                changes=form.service_kwargs(),
                **scope,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return HttpResponseRedirect("/panel/promotions/")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "promotion": promotion}
    return page(request, "panel/promotion_form.html", context, active="promotions", status=status)
