"""Request context: a request id on every request, echoed back and stamped on every log line."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

from core.context import new_request_id, request_id_var, request_var

REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else new_request_id()
        request.request_id = request_id  # type: ignore[attr-defined]
        # Not reset on the way out: Django logs 4xx/5xx ("Not Found: ...") after the middleware
        # chain returns, and that line must still carry the request id. Reset when the
        # response is finished instead (below).
        request_id_var.set(request_id)
        request_var.set(request)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


@receiver(request_finished, dispatch_uid="dysa-clear-request-context")
def _clear_request_context(**_kwargs: Any) -> None:
    request_id_var.set("-")
    request_var.set(None)
