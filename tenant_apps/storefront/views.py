from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tenant_apps.menu.selectors import menu_tree


def home(request: HttpRequest) -> HttpResponse:
    """The restaurant's public page: its menu, and the chat widget any site could embed."""
    tenant = request.tenant  # type: ignore[attr-defined]
    return render(
        request,
        "storefront/home.html",
        {"restaurant": tenant, "menu": menu_tree(language=tenant.locale)},
    )
