from __future__ import annotations

import time

import pytest
from django.core import mail
from django.db import transaction

from shared_apps.mail.services import email_render, email_send


def test_email_is_rendered_in_the_recipients_language() -> None:
    rendered = email_render(template="test_message", context={"name": "Ana"}, language="en")
    assert rendered.subject == "Test message from dysa Ana"
    assert "Hello Ana" in rendered.text
    assert rendered.html is None


def test_unknown_language_falls_back_to_the_default() -> None:
    rendered = email_render(template="test_message", context={"name": "Ana"}, language="xx")
    assert "Ana" in rendered.subject


@pytest.mark.django_db(transaction=True)
def test_email_is_sent_by_a_worker_after_commit(celery_worker_session: object) -> None:
    with transaction.atomic():
        email_send(
            to="ana@example.com", template="test_message", context={"name": "Ana"}, language="en"
        )
        assert mail.outbox == []
    deadline = time.monotonic() + 10
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [m.to for m in mail.outbox] == [["ana@example.com"]]


def _send_then_roll_back() -> None:
    with transaction.atomic():
        email_send(
            to="ana@example.com", template="test_message", context={"name": "Ana"}, language="en"
        )
        raise RuntimeError("rollback")


@pytest.mark.django_db(transaction=True)
def test_rolled_back_write_sends_no_email(celery_worker_session: object) -> None:
    with pytest.raises(RuntimeError):
        _send_then_roll_back()
    time.sleep(0.3)
    assert mail.outbox == []
