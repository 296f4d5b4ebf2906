"""Settings forms: profile, opening hours, closed dates, assistant and web chat."""

from __future__ import annotations

import re
from datetime import time
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tenant_apps.assistant.models import AssistantSettings
from tenant_apps.restaurant.selectors import RestaurantProfileData, Shift

WEEKDAYS: tuple[Any, ...] = (
    _("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"),
    _("Sunday"),
)  # fmt: skip
_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class ProfileForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    currency = forms.CharField(label=_("Currency (ISO code)"), max_length=3)
    timezone = forms.CharField(label=_("Time zone"), max_length=64)

    @classmethod
    def initial_for(cls, profile: RestaurantProfileData) -> dict[str, Any]:
        return {name: getattr(profile, name) for name in cls.base_fields}


class HoursForm(forms.Form):
    """One text field per weekday: `12:00-16:00, 20:00-23:30`; empty is closed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for day, label in enumerate(WEEKDAYS):
            self.fields[f"day{day}"] = forms.CharField(
                label=label,
                required=False,
                max_length=100,
                help_text=_("e.g. 12:00-16:00, 20:00-23:30; empty when closed"),
            )

    @staticmethod
    def initial_for(profile: RestaurantProfileData) -> dict[str, str]:
        return {
            f"day{day}": ", ".join(
                f"{s.opens:%H:%M}-{s.closes:%H:%M}" for s in profile.shifts_on(day)
            )
            for day in range(7)
        }

    def shifts(self) -> list[Shift]:
        shifts: list[Shift] = []
        for day in range(7):
            text = self.cleaned_data.get(f"day{day}") or ""
            for span in filter(None, (part.strip() for part in text.split(","))):
                match = _SPAN.match(span)
                try:
                    if match is None:
                        raise ValueError(span)
                    h1, m1, h2, m2 = (int(g) for g in match.groups())
                    shifts.append(Shift(weekday=day, opens=time(h1, m1), closes=time(h2 % 24, m2)))
                except ValueError:
                    self.add_error(f"day{day}", _("Write hours like 12:00-16:00."))
                    break
        return shifts


class ClosedDateForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), max_length=120, required=False)


class AssistantForm(forms.Form):
    assistant_name = forms.CharField(label=_("Assistant's name"), max_length=60)
    greeting_es = forms.CharField(
        label=_("Greeting (Spanish)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    greeting_en = forms.CharField(
        label=_("Greeting (English)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    assistant_persona = forms.CharField(
        label=_("Persona"), max_length=2000, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("How the assistant speaks (used by language models)."),
    )  # fmt: skip
    provider = forms.ChoiceField(label=_("Engine"), choices=AssistantSettings.Provider.choices)
    base_url = forms.CharField(label=_("Model server URL"), max_length=300, required=False)
    model = forms.CharField(label=_("Model"), max_length=120, required=False)
    api_key = forms.CharField(
        label=_("API key"), required=False, max_length=500, strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text=_("Leave empty to keep the current key."),
    )  # fmt: skip

    @classmethod
    def initial_for(
        cls, profile: RestaurantProfileData, engine: AssistantSettings
    ) -> dict[str, Any]:
        return {
            "assistant_name": profile.assistant_name,
            "greeting_es": profile.assistant_greeting.get("es", ""),
            "greeting_en": profile.assistant_greeting.get("en", ""),
            "assistant_persona": profile.assistant_persona,
            "provider": engine.provider,
            "base_url": engine.base_url,
            "model": engine.model,
        }


class WebChatForm(forms.Form):
    enabled = forms.BooleanField(label=_("The chat answers visitors"), required=False)
    allowed_origins = forms.CharField(
        label=_("Websites that may embed the chat"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, like https://www.example.com"),
    )  # fmt: skip
    accent_color = forms.CharField(
        label=_("Colour"), max_length=7, widget=forms.TextInput(attrs={"type": "color"})
    )

    def origins(self) -> list[str]:
        return [
            line.strip()
            for line in self.cleaned_data["allowed_origins"].splitlines()
            if line.strip()
        ]


def split_errors(error: ValidationError) -> dict[str, list[str]]:
    return dict(error.message_dict) if hasattr(error, "error_dict") else {"__all__": error.messages}
