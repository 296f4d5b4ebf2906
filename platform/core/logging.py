"""JSON-lines logging with request context and secret redaction."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

from core.context import current_schema, current_user_label, request_id_var

REDACTED = "[REDACTED]"
# Keys whose values are secret wherever they appear (dict args, extra=..., query strings).
SECRET_KEY_PATTERN = re.compile(
    r"(pass(word)?|passwd|secret|token|api[_-]?key|authorization|signature|private[_-]?key|"
    r"access|refresh|cookie|session|credential|master[_-]?key|dsn)",
    re.IGNORECASE,
)
# Secret-looking values in free text: `password=...`, `"token": "..."`, `Bearer ...`, JWTs.
_INLINE_PAIR = re.compile(
    r"""(?P<key>["']?[\w-]*(?:pass(?:word)?|passwd|secret|token|api[_-]?key|authorization|signature|access|refresh)[\w-]*["']?\s*[:=]\s*)(?P<quote>["']?)(?P<value>[^"'\s,&}]+)""",
    re.IGNORECASE,
)
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}")
_FERNET = re.compile(r"\bgAAAAA[A-Za-z0-9_=-]{20,}")
_URL_PASSWORD = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://[^:/@\s]+:)[^@\s]+@", re.IGNORECASE)


def redact_text(text: str) -> str:
    text = _URL_PASSWORD.sub(lambda m: f"{m.group('scheme')}{REDACTED}@", text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    text = _JWT.sub(REDACTED, text)
    text = _FERNET.sub(REDACTED, text)
    return _INLINE_PAIR.sub(lambda m: f"{m.group('key')}{m.group('quote')}{REDACTED}", text)


def redact_value(value: Any, *, key: str = "") -> Any:
    if key and SECRET_KEY_PATTERN.search(key):
        return REDACTED
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: redact_value(v, key=str(k)) for k, v in value.items()}
    # Plain list and tuple: subclasses (DRF's ReturnList, named tuples) need other arguments.
    if isinstance(value, list):
        return [redact_value(v) for v in value]
    if isinstance(value, tuple):
        return tuple(redact_value(v) for v in value)
    return value


class RedactSecretsFilter(logging.Filter):
    """Rewrites a record so no password, token or key leaves the process in a log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact_text(str(record.msg)) if isinstance(record.msg, str) else record.msg
        if isinstance(record.args, dict):
            record.args = redact_value(record.args)
        elif isinstance(record.args, tuple):
            record.args = tuple(redact_value(arg) for arg in record.args)
        for key, value in list(record.__dict__.items()):
            if key not in _STANDARD_ATTRS:
                record.__dict__[key] = redact_value(value, key=key)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        return True


class RequestContextFilter(logging.Filter):
    """Stamps request id, tenant schema and user on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        record.user = current_user_label()
        try:
            record.schema = current_schema()
        except Exception:
            record.schema = "-"
        return True


_STANDARD_ATTRS = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "request_id",
    "user",
    "schema",
    "taskName",
}


class JsonLinesFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
            "schema": getattr(record, "schema", "-"),
            "user": getattr(record, "user", "-"),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                payload[key] = value
        if record.exc_info or record.exc_text:
            payload["exception"] = record.exc_text or self.formatException(record.exc_info)  # type: ignore[arg-type]
        return json.dumps(payload, default=str, ensure_ascii=False)
