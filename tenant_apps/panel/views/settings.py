"""Settings: profile, opening hours and closed dates, assistant greeting/persona and engine,
web chat origins with the embed snippet. Each form posts to its own URL and needs the same
permission as the matching API endpoint."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
def profile(request: HttpRequest) -> HttpResponse:
    require(request, "restaurant.manage")
    form = ProfileForm(request.POST)
    return _save(
        request,
        key="profile",
        form=form,
        write=lambda: restaurant_profile_update(
            actor=Actor.of(request.user), changes=form.cleaned_data
        ),
        anchor="profile",
    )


@require_POST
@panel_page("restaurant.view")
def hours(request: HttpRequest) -> HttpResponse:
    require(request, "hours.manage")
    form = HoursForm(request.POST)

    def write() -> None:
        shifts = form.shifts()
        if not form.errors:
            opening_hours_replace(actor=Actor.of(request.user), shifts=shifts)

    return _save(
        request,
        key="hours",
        form=form,
        write=write,
        anchor="hours",
    )


@require_POST
@panel_page("restaurant.view")
def closed_add(request: HttpRequest) -> HttpResponse:
    require(request, "hours.manage")
    form = ClosedDateForm(request.POST)
    return _save(
        request,
        key="closed",
        form=form,
        write=lambda: closed_date_add(
            actor=Actor.of(request.user),
            day=form.cleaned_data["date"],
            reason=form.cleaned_data["reason"],
        ),
        anchor="hours",
    )


@require_POST
@panel_page("restaurant.view")
def closed_remove(request: HttpRequest, closed_date_id: int) -> HttpResponse:
    require(request, "hours.manage")
    closed = closed_date_get(closed_date_id=closed_date_id)
    if closed is None:
        raise Http404("No such closed date.")
    closed_date_delete(actor=Actor.of(request.user), closed_date=closed)
    return HttpResponseRedirect("/panel/settings/#hours")


@require_POST
@panel_page("restaurant.view")
def assistant(request: HttpRequest) -> HttpResponse:
    require(request, "assistant.manage")
    form = AssistantForm(request.POST)

    def write() -> None:
        data = form.cleaned_data
        actor = Actor.of(request.user)
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

    return _save(
        request,
        key="assistant",
        form=form,
        write=write,
        anchor="assistant",
    )


@require_POST
@panel_page("restaurant.view")
def webchat(request: HttpRequest) -> HttpResponse:
    require(request, "restaurant.manage")
    form = WebChatForm(request.POST)
    return _save(
        request,
        key="chat",
        form=form,
        write=lambda: webchat_settings_update(
            actor=Actor.of(request.user),
            enabled=form.cleaned_data["enabled"],
            allowed_origins=form.origins(),
            accent_color=form.cleaned_data["accent_color"],
        ),
        anchor="webchat",
    )
