"""Menu forms: a category, and an item with its option groups in both languages.

Option groups are edited in a few fixed slots (name in es/en, min/max choices, one option per
line as `Spanish / English +price`), so the page works without JavaScript.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tenant_apps.menu.models import Category, MenuItem
from tenant_apps.menu.services import OptionGroupInput, OptionInput

GROUP_SLOTS = 3
_OPTION_LINE = re.compile(r"^(?P<names>.+?)\s*(?:(?P<price>[+-]\s*\d+(?:[.,]\d{1,2})?))?\s*$")

ALLERGEN_LABELS: dict[str, Any] = {
    "gluten": _("Gluten"), "crustaceans": _("Crustaceans"), "eggs": _("Eggs"), "fish": _("Fish"),
    "peanuts": _("Peanuts"), "soybeans": _("Soy"), "milk": _("Milk"), "nuts": _("Nuts"),
    "celery": _("Celery"), "mustard": _("Mustard"), "sesame": _("Sesame"),
    "sulphites": _("Sulphites"), "lupin": _("Lupin"), "molluscs": _("Molluscs"),
}  # fmt: skip
DIETARY_LABELS: dict[str, Any] = {
    "vegetarian": _("Vegetarian"), "vegan": _("Vegan"), "gluten_free": _("Gluten-free"),
    "lactose_free": _("Lactose-free"), "spicy": _("Spicy"), "halal": _("Halal"),
}  # fmt: skip


class CategoryForm(forms.Form):
    name_es = forms.CharField(label=_("Name (Spanish)"), max_length=80)
    name_en = forms.CharField(label=_("Name (English)"), max_length=80, required=False)
    is_visible = forms.BooleanField(label=_("Visible on the menu"), required=False, initial=True)

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": {"es": data["name_es"], "en": data["name_en"]},
            "is_visible": data["is_visible"],
        }


def _parse_option(line: str) -> OptionInput:
    match = _OPTION_LINE.match(line.strip())
    if match is None:
        raise ValidationError(_("Write each option as “Spanish / English +1.50”."))
    names = [part.strip() for part in match.group("names").split("/")]
    price = (match.group("price") or "0").replace(" ", "").replace(",", ".")
    try:
        delta = Decimal(price)
    except InvalidOperation as error:
        raise ValidationError(_("“%(price)s” is not a price.") % {"price": price}) from error
    return OptionInput(
        name={"es": names[0], "en": names[1] if len(names) > 1 else ""}, price_delta=delta
    )


class MenuItemForm(forms.Form):
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none())
    name_es = forms.CharField(label=_("Name (Spanish)"), max_length=120)
    name_en = forms.CharField(label=_("Name (English)"), max_length=120, required=False)
    description_es = forms.CharField(
        label=_("Description (Spanish)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    description_en = forms.CharField(
        label=_("Description (English)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    price = forms.DecimalField(
        label=_("Price"), min_value=Decimal("0"), max_digits=8, decimal_places=2
    )
    allergens = forms.MultipleChoiceField(
        label=_("Allergens"),
        required=False,
        choices=list(ALLERGEN_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    dietary_tags = forms.MultipleChoiceField(
        label=_("Dietary"),
        required=False,
        choices=list(DIETARY_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    is_available = forms.BooleanField(label=_("On the menu"), required=False, initial=True)
    out_of_stock = forms.BooleanField(label=_("Sold out"), required=False)

    def __init__(self, *args: Any, categories: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories  # type: ignore[attr-defined]
        self.fields["category"].label_from_instance = lambda c: c.name_in(get_language() or "es")  # type: ignore[attr-defined]
        for slot in range(GROUP_SLOTS):
            n = slot + 1
            self.fields[f"group{slot}_name_es"] = forms.CharField(
                label=_("Option group %(n)s: name (Spanish)") % {"n": n},
                max_length=80,
                required=False,
            )
            self.fields[f"group{slot}_name_en"] = forms.CharField(
                label=_("Option group %(n)s: name (English)") % {"n": n},
                max_length=80,
                required=False,
            )
            self.fields[f"group{slot}_min"] = forms.IntegerField(
                label=_("Choose at least"), min_value=0, max_value=20, initial=0, required=False
            )
            self.fields[f"group{slot}_max"] = forms.IntegerField(
                label=_("Choose at most"), min_value=1, max_value=20, initial=1, required=False
            )
            self.fields[f"group{slot}_options"] = forms.CharField(
                label=_("Options, one per line"), required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=_("Spanish / English +extra price, e.g. “Grande / Large +2.00”"),
            )  # fmt: skip

    def group_slots(self) -> list[dict[str, Any]]:
        return [
            {
                key: self[f"group{slot}_{key}"]
                for key in ("name_es", "name_en", "min", "max", "options")
            }
            for slot in range(GROUP_SLOTS)
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.parsed_groups = self._option_groups()
        return cleaned

    def option_groups(self) -> list[OptionGroupInput]:
        return self.parsed_groups

    def _option_groups(self) -> list[OptionGroupInput]:
        """The filled group slots as service inputs; a bad option line is a field error."""
        groups: list[OptionGroupInput] = []
        for slot in range(GROUP_SLOTS):
            data = self.cleaned_data
            name_es = data.get(f"group{slot}_name_es") or ""
            lines = [
                line
                for line in (data.get(f"group{slot}_options") or "").splitlines()
                if line.strip()
            ]
            if not name_es and not lines:
                continue
            if not name_es:
                self.add_error(f"group{slot}_name_es", _("Name the group."))
                continue
            try:
                options = [_parse_option(line) for line in lines]
            except ValidationError as error:
                self.add_error(f"group{slot}_options", error)
                continue
            groups.append(
                OptionGroupInput(
                    name={"es": name_es, "en": data.get(f"group{slot}_name_en") or ""},
                    options=options,
                    min_selections=data.get(f"group{slot}_min") or 0,
                    max_selections=data.get(f"group{slot}_max") or 1,
                )
            )
        return groups

    def item_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "category": data["category"],
            "name": {"es": data["name_es"], "en": data["name_en"]},
            "description": {"es": data["description_es"], "en": data["description_en"]},
            "price": data["price"],
            "allergens": data["allergens"],
            "dietary_tags": data["dietary_tags"],
            "is_available": data["is_available"],
            "out_of_stock": data["out_of_stock"],
        }

    @classmethod
    def initial_for(cls, item: MenuItem) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "category": item.category_id,
            "name_es": item.name.get("es", ""),
            "name_en": item.name.get("en", ""),
            "description_es": (item.description or {}).get("es", ""),
            "description_en": (item.description or {}).get("en", ""),
            "price": item.price,
            "allergens": list(item.allergens),
            "dietary_tags": list(item.dietary_tags),
            "is_available": item.is_available,
            "out_of_stock": item.out_of_stock,
        }
        for slot, group in enumerate(list(item.option_groups.all())[:GROUP_SLOTS]):
            initial[f"group{slot}_name_es"] = group.name.get("es", "")
            initial[f"group{slot}_name_en"] = group.name.get("en", "")
            initial[f"group{slot}_min"] = group.min_selections
            initial[f"group{slot}_max"] = group.max_selections
            initial[f"group{slot}_options"] = "\n".join(
                f"{o.name.get('es', '')} / {o.name.get('en', '')}"
                + (f" {'+' if o.price_delta >= 0 else ''}{o.price_delta}" if o.price_delta else "")
                for o in group.options.all()
            )
        return initial
