"""Settings: profile, opening hours and closed dates, assistant greeting/persona and engine,
web chat origins with the embed snippet. Each form posts to its own URL and needs the same
permission as the matching API endpoint."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_GET, require_POST

from core.actors import Actor
from tenant_apps.assistant.llm.engine import assistant_settings_get
from tenant_apps.assistant.selectors import assistant_api_key_is_set
from tenant_apps.assistant.services import assistant_engine_configure
from tenant_apps.messaging.selectors import webchat_settings_get
from tenant_apps.messaging.services import webchat_settings_update
from tenant_apps.panel.access import panel_page, require
from tenant_apps.panel.forms import add_service_errors
from tenant_apps.panel.settings_forms import (
    AssistantForm,
    ClosedDateForm,
    HoursForm,
    ProfileForm,
    WebChatForm,
)
from tenant_apps.panel.views.common import page
from tenant_apps.restaurant.selectors import (
    closed_date_get,
    closed_date_list,
    restaurant_profile_get,
)
from tenant_apps.restaurant.services import (
    closed_date_add,
    closed_date_delete,
    opening_hours_replace,
    restaurant_profile_update,
)


def _forms(request: HttpRequest, **bound: forms.Form) -> dict[str, Any]:
    profile = restaurant_profile_get()
    engine = assistant_settings_get()
    chat = webchat_settings_get()
    return {
        "profile_form": bound.get("profile")
        or ProfileForm(initial=ProfileForm.initial_for(profile)),
        "hours_form": bound.get("hours") or HoursForm(initial=HoursForm.initial_for(profile)),
        "closed_form": bound.get("closed") or ClosedDateForm(),
        "closed_dates": closed_date_list(),
        "assistant_form": bound.get("assistant")
        or AssistantForm(initial=AssistantForm.initial_for(profile, engine)),
        "api_key_set": assistant_api_key_is_set(),
        "chat_form": bound.get("chat")
        or WebChatForm(
            initial={
                "enabled": chat.enabled,
                "allowed_origins": "\n".join(chat.allowed_origins),
                "accent_color": chat.accent_color,
            }
        ),
        "embed_snippet": (
            f'<script src="{request.scheme}://{request.get_host()}/widget.js" defer></script>'
        ),
    }


@require_GET
@panel_page("restaurant.view")
def settings_page(request: HttpRequest) -> HttpResponse:
    return page(request, "panel/settings.html", _forms(request), active="settings")


def _save(
    request: HttpRequest,
    *,
    key: str,
    form: forms.Form,
    write: Callable[[], object],
    anchor: str,
) -> HttpResponse:
    if form.is_valid():
        try:
            with transaction.atomic():
                write()
                if form.errors:  # a parse error found while building the write's input
                    raise ValidationError({})
        except ValidationError as error:
            if hasattr(error, "error_dict") and error.error_dict:
                add_service_errors(form, error)
        else:
            return HttpResponseRedirect(f"/panel/settings/#{anchor}")
    context = _forms(request, **{key: form})
    return page(request, "panel/settings.html", context, active="settings", status=400)


@require_POST
@panel_page("restaurant.view")
def closed_remove(request: HttpRequest, closed_date_id: int) -> HttpResponse:
    require(request, "hours.manage")
    closed = closed_date_get(closed_date_id=closed_date_id)
    if closed is None:
        raise Http404("No such closed date.")
    closed_date_delete(actor=Actor.of(request.user), closed_date=closed)
    return HttpResponseRedirect("/panel/settings/#hours")


FormT = TypeVar("FormT", bound=forms.Form)


def _settings_form(
    form_class: type[FormT],
    *,
    permission: str,
    key: str,
    anchor: str,
    write: Callable[[FormT, Actor], object],
) -> Callable[[HttpRequest], HttpResponse]:
    """A settings form's POST view: the permission of the matching API endpoint, the form
    validated, `write(form, actor)` through the services, the page again on errors."""

    @require_POST
    @panel_page("restaurant.view")
    def view(request: HttpRequest) -> HttpResponse:
        require(request, permission)
        form = form_class(request.POST)
        actor = Actor.of(request.user)
        return _save(request, key=key, form=form, write=lambda: write(form, actor), anchor=anchor)

    return view


def _write_hours(form: HoursForm, actor: Actor) -> None:
    shifts = form.shifts()
    if not form.errors:
        opening_hours_replace(actor=actor, shifts=shifts)


def _write_assistant(form: AssistantForm, actor: Actor) -> None:
    data = form.cleaned_data
    restaurant_profile_update(
        actor=actor,
        changes={
            "assistant_name": data["assistant_name"],
            "assistant_greeting": {"es": data["greeting_es"], "en": data["greeting_en"]},
            "assistant_persona": data["assistant_persona"],
        },
    )
    assistant_engine_configure(
        actor=actor,
        changes={
            "provider": data["provider"],
            "base_url": data["base_url"],
            "model": data["model"],
        },
        api_key_given=bool(data["api_key"]),
        api_key=data["api_key"] or None,
    )


def _write_webchat(form: WebChatForm, actor: Actor) -> None:
    webchat_settings_update(
        actor=actor,
        enabled=form.cleaned_data["enabled"],
        allowed_origins=form.origins(),
        accent_color=form.cleaned_data["accent_color"],
    )


profile = _settings_form(
    ProfileForm, permission="restaurant.manage", key="profile", anchor="profile",
    write=lambda form, actor: restaurant_profile_update(actor=actor, changes=form.cleaned_data),
)  # fmt: skip
hours = _settings_form(
    HoursForm, permission="hours.manage", key="hours", anchor="hours", write=_write_hours
)
closed_add = _settings_form(
    ClosedDateForm, permission="hours.manage", key="closed", anchor="hours",
    write=lambda form, actor: closed_date_add(
        actor=actor, day=form.cleaned_data["date"], reason=form.cleaned_data["reason"]
    ),
)  # fmt: skip
assistant = _settings_form(
    AssistantForm, permission="assistant.manage", key="assistant", anchor="assistant",
    write=_write_assistant,
)  # fmt: skip
webchat = _settings_form(
    WebChatForm, permission="restaurant.manage", key="chat", anchor="webchat",
    write=_write_webchat,
)  # fmt: skip
