"""The circuit breaker opens after repeated failures, lets one trial through after the
cooldown, and closes after a success."""

from __future__ import annotations

import time
from collections.abc import Iterator
from unittest import mock

import pytest
from django.core.cache import cache

from tenant_apps.assistant.llm import breaker

ENDPOINT = "ollama|http://127.0.0.1:1|phi3:mini"


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def test_the_circuit_opens_after_the_threshold() -> None:
    for _ in range(breaker.FAILURE_THRESHOLD - 1):
        assert breaker.breaker_record_failure(endpoint=ENDPOINT) is False
        assert breaker.breaker_allows(endpoint=ENDPOINT)

    assert breaker.breaker_record_failure(endpoint=ENDPOINT) is True
    assert not breaker.breaker_allows(endpoint=ENDPOINT)


def test_a_success_resets_the_count() -> None:
    breaker.breaker_record_failure(endpoint=ENDPOINT)
    breaker.breaker_record_failure(endpoint=ENDPOINT)
    breaker.breaker_record_success(endpoint=ENDPOINT)

    assert breaker.breaker_record_failure(endpoint=ENDPOINT) is False


def test_after_the_cooldown_one_call_is_let_through() -> None:
    for _ in range(breaker.FAILURE_THRESHOLD):
        breaker.breaker_record_failure(endpoint=ENDPOINT)
    later = time.time() + breaker.COOLDOWN + 1

    # The clock is the only thing faked here; the cache is the real Redis.
    with mock.patch("tenant_apps.assistant.llm.breaker.time.time", return_value=later):
        assert breaker.breaker_allows(endpoint=ENDPOINT)
        assert not breaker.breaker_allows(endpoint=ENDPOINT)


def _half_open() -> float:
    for _ in range(breaker.FAILURE_THRESHOLD):
        breaker.breaker_record_failure(endpoint=ENDPOINT)
    return time.time() + breaker.COOLDOWN + 1


def test_a_failed_trial_opens_the_circuit_again_at_once() -> None:
    later = _half_open()
    with mock.patch("tenant_apps.assistant.llm.breaker.time.time", return_value=later):
        assert breaker.breaker_allows(endpoint=ENDPOINT)

        assert breaker.breaker_record_failure(endpoint=ENDPOINT) is True

        assert not breaker.breaker_allows(endpoint=ENDPOINT)


def test_a_successful_trial_closes_the_circuit() -> None:
    later = _half_open()
    with mock.patch("tenant_apps.assistant.llm.breaker.time.time", return_value=later):
        assert breaker.breaker_allows(endpoint=ENDPOINT)

        breaker.breaker_record_success(endpoint=ENDPOINT)

        assert breaker.breaker_allows(endpoint=ENDPOINT)
        assert breaker.breaker_allows(endpoint=ENDPOINT)
        assert breaker.breaker_record_failure(endpoint=ENDPOINT) is False


def test_a_reset_closes_an_open_circuit() -> None:
    _half_open()

    breaker.breaker_reset(endpoint=ENDPOINT)

    assert breaker.breaker_allows(endpoint=ENDPOINT)
