"""One JSON shape for every API error (RFC 9457 problem details, plus field errors).

{"type": "about:blank", "status": 400, "title": "Invalid input",
 "detail": "...", "errors": {"field": ["message", ...]}}
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

PROBLEM_CONTENT_TYPE = "application/problem+json"

_TITLES = {
    400: "Invalid input",
    401: "Authentication required",
    403: "Permission denied",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    413: "Payload too large",
    415: "Unsupported media type",
    429: "Too many requests",
    503: "Service unavailable",
}


def problem_body(
    status_code: int, detail: str, *, errors: Any = None, title: str | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "about:blank",
        "status": status_code,
        "title": title or _TITLES.get(status_code, "Error"),
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    return body


def problem_response(
    status_code: int, detail: str, *, errors: Any = None, title: str | None = None
) -> JsonResponse:
    """A problem response for plain Django views and middleware (outside DRF)."""
    return JsonResponse(
        problem_body(status_code, detail, errors=errors, title=title),
        status=status_code,
        content_type=PROBLEM_CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )


def _field_errors(data: Any) -> dict[str, Any]:
    if isinstance(data, dict):
        return {
            key: value if isinstance(value, list | dict) else [value] for key, value in data.items()
        }
    if isinstance(data, list):
        return {"non_field_errors": data}
    return {"non_field_errors": [data]}


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        field_errors: dict[str, Any] = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(detail=field_errors)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        body = problem_body(
            response.status_code,
            "The request has invalid fields.",
            errors=_field_errors(exc.detail),
        )
    elif isinstance(exc, exceptions.ParseError):
        # Malformed JSON is a 400 like any other bad input: clients find why under `errors`.
        detail = str(exc.detail)
        body = problem_body(response.status_code, detail, errors={"non_field_errors": [detail]})
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        body = problem_body(response.status_code, str(detail))
        extra = getattr(exc, "problem_extra", None)
        if isinstance(extra, dict):
            body.update(extra)
    response.data = body
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def wants_json(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    return (
        request.path.startswith(("/api/", "/health/", "/webhooks/"))
        or "application/json" in accept
        or request.content_type == "application/json"
    )


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the resource."
    default_code = "conflict"
