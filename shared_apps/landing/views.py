from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tenants.selectors import restaurant_list, restaurant_primary_url


def landing(request: HttpRequest) -> HttpResponse:
    restaurants = [
        {"name": r.name, "url": restaurant_primary_url(r)}
        for r in restaurant_list(status="active")[:50]
    ]
    return render(request, "landing/landing.html", {"restaurants": restaurants})
