"""Every operation's OpenAPI entry declares the problem answers it can give (RFC 9457 bodies,
`core.api_errors`), decided from what the operation is, not listed by hand per view:

- 400 when it takes a body or query parameters (field errors, unknown fields or parameters);
- 401 and 403 unless it can be called anonymously (no security requirement, or `{}` allowed);
- 404 always: the path, the body (a restaurant, a customer named by id) or the resource
  itself (a channel not set up yet) may name what does not exist here (another tenant's
  object is a 404 too);
- 409 for writes (state conflicts: last owner, already cancelled, ...);
- 413 and 415 when it takes a body (the size limit, JSON only);
- 429 always (throttles), 503 always (a suspended restaurant, a dependency down).

A drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]): answers
an operation already declares are kept as they are.
"""

from __future__ import annotations

from typing import Any, Final

PROBLEM_COMPONENT: Final = "Problem"
PROBLEM_MEDIA_TYPE: Final = "application/problem+json"
_PROBLEM_SCHEMA: Final = {
    "type": "object",
    "description": "RFC 9457 problem details; `errors` holds field errors for a 400.",
    "properties": {
        "type": {"type": "string"},
        "status": {"type": "integer"},
        "title": {"type": "string"},
        "detail": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": True},
    },
    "required": ["type", "status", "title", "detail"],
    "additionalProperties": True,
}
_DESCRIPTIONS: Final = {
    "400": "Invalid input (field errors under `errors`)",
    "401": "Authentication required or invalid credentials",
    "403": "Permission denied",
    "404": "No such object in this restaurant",
    "409": "Conflicts with the current state",
    "413": "Request body too large",
    "415": "Unsupported media type",
    "429": "Too many requests (see Retry-After)",
    "503": "Service unavailable",
}
_WRITES: Final = {"post", "put", "patch", "delete"}


def problem_codes(*, method: str, path: str, operation: dict[str, Any]) -> list[str]:
    has_body = "requestBody" in operation
    has_query = any(p.get("in") == "query" for p in operation.get("parameters", []))
    security = operation.get("security")
    anonymous = security is None or security == [] or {} in security
    codes = ["429", "503"]
    if has_body or has_query or method == "get":
        codes.append("400")
    if not anonymous:
        codes += ["401", "403"]
    else:
        codes.append("401")  # a bad token presented anyway is refused
    codes.append("404")
    if method in _WRITES:
        codes += ["400", "403", "409"]
    if has_body:
        codes += ["413", "415"]
    return sorted(set(codes))


def _problem_response(code: str) -> dict[str, Any]:
    return {
        "description": _DESCRIPTIONS[code],
        "content": {
            PROBLEM_MEDIA_TYPE: {"schema": {"$ref": f"#/components/schemas/{PROBLEM_COMPONENT}"}},
            "application/json": {"schema": {"$ref": f"#/components/schemas/{PROBLEM_COMPONENT}"}},
        },
    }


# Times of day are written "HH:MM" (opening hours, slots); JSON Schema's "time" format means
# RFC 3339 full-time with seconds and offset, which no answer of this API is.
_TIME_OF_DAY: Final = {"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$"}


def _times_of_day(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("format") == "time":
            node.pop("format")
            node.update(_TIME_OF_DAY)
        for value in node.values():
            _times_of_day(value)
    elif isinstance(node, list):
        for value in node:
            _times_of_day(value)


def declare_problem_responses(result: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
    """The postprocessing hook."""
    _times_of_day(result.get("components", {}))
    result.setdefault("components", {}).setdefault("schemas", {})[PROBLEM_COMPONENT] = (
        _PROBLEM_SCHEMA
    )
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for code in problem_codes(method=method, path=path, operation=operation):
                existing = responses.get(code)
                if existing is None or "content" not in existing:
                    responses[code] = {
                        **_problem_response(code),
                        **({"description": existing["description"]} if existing else {}),
                    }
    return result
