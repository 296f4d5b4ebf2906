"""The role and permission matrix: the owner retunes what manager, staff and viewer may do,
through `role_update` (roles.manage, an owner-only power). Owner-only powers are offered like
any other so the service's refusal to delegate them is shown next to the field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from core.actors import Actor
from tenant_apps.panel.access import panel_page
from tenant_apps.panel.forms import add_service_errors
from tenant_apps.panel.views.common import page
from tenant_apps.panel.views.records import ROLE_LABELS
from tenant_apps.staff.permissions import OWNER, PERMISSIONS, ROLES
from tenant_apps.staff.selectors import role_permissions
from tenant_apps.staff.services import role_update

EDITABLE_ROLES = tuple(code for code in ROLES if code != OWNER)


class RolePermissionsForm(forms.Form):
    permissions = forms.MultipleChoiceField(
        label=_("Permissions"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(name, name) for name in PERMISSIONS],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["permissions"]
        assert isinstance(field, forms.MultipleChoiceField)
        # The catalogue's descriptions are English; their Spanish is in this app's .po.
        field.choices = [(name, f"{name} — {gettext(text)}") for name, text in PERMISSIONS.items()]


def _forms(bound: RolePermissionsForm | None = None) -> list[dict[str, Any]]:
    current = role_permissions()
    rows = []
    for code in EDITABLE_ROLES:
        form = bound if bound is not None and bound.prefix == code else None
        if form is None:
            initial = {"permissions": sorted(current[code])}
            form = RolePermissionsForm(prefix=code, initial=initial)
        rows.append({"code": code, "label": ROLE_LABELS[code], "form": form})
    return rows


def _render(request: HttpRequest, rows: list[dict[str, Any]], status: int = 200) -> HttpResponse:
    return page(request, "panel/roles.html", {"roles": rows}, active="staff", status=status)


@require_GET
@panel_page("roles.manage")
def roles(request: HttpRequest) -> HttpResponse:
    return _render(request, _forms())


@require_POST
@panel_page("roles.manage")
def role_change(request: HttpRequest, code: str) -> HttpResponse:
    if code not in EDITABLE_ROLES:
        raise Http404("No such editable role.")
    form = RolePermissionsForm(request.POST, prefix=code)
    if form.is_valid():
        try:
            role_update(
                actor=Actor.of(request.user),
                code=code,
                permissions=form.cleaned_data["permissions"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return HttpResponseRedirect("/panel/staff/roles/")
    return _render(request, _forms(form), status=400)
