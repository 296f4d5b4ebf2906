"""JSON-lines logs carry request context, and secrets never reach a log line."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from django.test import Client

from core.db import current_schema_name
from core.logging import (
    REDACTED,
    JsonLinesFormatter,
    RedactSecretsFilter,
    RequestContextFilter,
    redact_text,
    redact_value,
)
from tests.tenants.factories import TenantHandle

SECRET = "s3cr3t-Value-9876"


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContextFilter())
    handler.addFilter(RedactSecretsFilter())
    handler.setFormatter(JsonLinesFormatter())
    logger = logging.getLogger("tests.capture")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)


def _lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.mark.parametrize(
    "message",
    [
        f"login with password={SECRET}",
        f'payload {{"password": "{SECRET}", "email": "a@b.c"}}',
        f"Authorization: Bearer {SECRET}",
        f"connecting to postgres://dysa:{SECRET}@db:5432/dysa",
        f"api_key={SECRET}&page=2",
        f"twilio auth_token: {SECRET}",
        f"client_secret='{SECRET}'",
    ],
)
def test_secrets_in_messages_are_redacted(
    captured: tuple[logging.Logger, io.StringIO], message: str
) -> None:
    logger, stream = captured

    logger.info(message)

    output = stream.getvalue()
    assert SECRET not in output
    assert REDACTED in output


def test_secrets_in_args_and_extra_fields_are_redacted(
    captured: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = captured

    logger.info("user %s signed in with %s", "ana@example.com", {"password": SECRET})
    logger.info("webhook", extra={"signature": SECRET, "meta": {"access_token": SECRET}})

    assert SECRET not in stream.getvalue()
    assert "ana@example.com" in stream.getvalue()


def test_secrets_in_exception_tracebacks_are_redacted(
    captured: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = captured

    try:
        raise ValueError(f"bad token={SECRET}")
    except ValueError:
        logger.exception("failed")

    assert SECRET not in stream.getvalue()
    assert "ValueError" in stream.getvalue()


def test_jwt_looking_values_are_redacted_anywhere() -> None:
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXZhbHVl"

    assert jwt not in redact_text(f"got {jwt} from client")


def test_lists_of_any_kind_are_redacted_into_plain_lists() -> None:
    from rest_framework import serializers

    class Row(serializers.Serializer[dict[str, str]]):
        token = serializers.CharField()

    # A ReturnList, which cannot be built without its serializer.
    rows = Row([{"token": "abc"}], many=True).data  # type: ignore[arg-type]

    assert redact_value({"rows": rows, "pair": ("a", "b")}) == {
        "rows": [{"token": REDACTED}],
        "pair": ("a", "b"),
    }


def test_ordinary_text_is_left_alone() -> None:
    text = "Pedido 42: 2 tacos al pastor, total 9.50 EUR"

    assert redact_text(text) == text


@pytest.mark.django_db
def test_each_line_carries_request_id_schema_and_user(
    captured: tuple[logging.Logger, io.StringIO], in_tenant_a: object
) -> None:
    logger, stream = captured

    logger.info("inside a tenant")

    line = _lines(stream)[0]
    assert line["schema"] == current_schema_name() == "t_alpha"
    assert {"ts", "level", "logger", "message", "request_id", "user"} <= set(line)


@pytest.mark.django_db
def test_request_logs_carry_the_request_id_of_that_request(tenant_a: TenantHandle) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(JsonLinesFormatter())
    request_logger = logging.getLogger("django.request")
    request_logger.addHandler(handler)
    try:
        response = Client(HTTP_HOST=tenant_a.host).get(
            "/no-such-page/", HTTP_X_REQUEST_ID="req-12345678"
        )
    finally:
        request_logger.removeHandler(handler)

    assert response.status_code == 404
    lines = _lines(stream)
    assert [line["request_id"] for line in lines] == ["req-12345678"]
    assert lines[0]["schema"] == "t_alpha"


def test_security_and_audit_loggers_are_separate_names() -> None:
    from django.conf import settings

    loggers = settings.LOGGING["loggers"]
    assert isinstance(loggers, dict)
    assert {"security", "audit"} <= set(loggers)
