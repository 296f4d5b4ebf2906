"""The page a one-time set-password link opens (owners at onboarding, operators)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from shared_apps.accounts.services import password_link_valid, user_password_set_with_token


@never_cache
@sensitive_post_parameters("password", "password_again")
def set_password(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    context: dict[str, object] = {"errors": [], "done": False}
    if not password_link_valid(uidb64=uidb64, token=token):
        context["errors"] = ["This link is invalid, expired or already used."]
        return render(request, "accounts/set_password.html", context, status=400)
    if request.method == "POST":
        password = request.POST.get("password", "")
        if password != request.POST.get("password_again", ""):
            context["errors"] = ["The two passwords differ."]
        else:
            try:
                user_password_set_with_token(uidb64=uidb64, token=token, password=password)
                context["done"] = True
            except ValidationError as error:
                context["errors"] = error.messages
    status = 400 if context["errors"] else 200
    return render(request, "accounts/set_password.html", context, status=status)
