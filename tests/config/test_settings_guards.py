"""Production settings refuse insecure defaults."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.settings.guards import insecure_setting_problems

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 64
GOOD_MASTER = "dGVzdC1tYXN0ZXIta2V5LW51bWJlci1vbmUtMzJieXQ="


def _problems(**overrides: object) -> list[str]:
    values: dict[str, object] = {
        "debug": False,
        "secret_key": GOOD_KEY,
        "master_keys": [GOOD_MASTER],
        "session_cookie_secure": True,
        "csrf_cookie_secure": True,
        "database_url": "postgres://db/dysa",
        "redis_url": "redis://cache:6379/0",
    }
    values.update(overrides)
    return insecure_setting_problems(**values)  # type: ignore[arg-type]


def test_a_secure_configuration_has_no_problems() -> None:
    assert _problems() == []


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ({"debug": True}, "DJANGO_DEBUG"),
        ({"secret_key": "dysa-insecure-development-key"}, "DJANGO_SECRET_KEY"),
        ({"secret_key": "short"}, "DJANGO_SECRET_KEY"),
        ({"master_keys": []}, "DYSA_MASTER_KEYS"),
        ({"master_keys": ["not-a-fernet-key"]}, "DYSA_MASTER_KEYS"),
        ({"session_cookie_secure": False}, "cookies"),
        ({"csrf_cookie_secure": False}, "cookies"),
        ({"database_url": ""}, "DATABASE_URL"),
        ({"redis_url": ""}, "REDIS_URL"),
    ],
)
def test_each_insecure_setting_is_reported(override: dict[str, object], expected: str) -> None:
    problems = _problems(**override)

    assert len(problems) == 1
    assert expected in problems[0]


def _import_production(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DYSA_", "DATABASE_URL", "REDIS_URL"))
    }
    return subprocess.run(
        [sys.executable, "-c", "import config.settings.production"],
        env={**clean, "PYTHONPATH": str(ROOT / "platform"), **env},
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )


def test_production_settings_refuse_to_start_with_defaults() -> None:
    result = _import_production({})

    assert result.returncode != 0
    assert "refusing to start" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_settings_start_when_configured() -> None:
    result = _import_production(
        {
            "DJANGO_SECRET_KEY": GOOD_KEY,
            "DYSA_MASTER_KEYS": GOOD_MASTER,
            "DATABASE_URL": "postgres://u:p@db:5432/dysa",
            "REDIS_URL": "redis://cache:6379/0",
            "DYSA_BASE_DOMAIN": "dysa.example",
        }
    )

    assert result.returncode == 0, result.stderr


def test_a_model_call_retention_below_one_day_is_refused() -> None:
    result = _import_production(
        {
            "DJANGO_SECRET_KEY": GOOD_KEY,
            "DYSA_MASTER_KEYS": GOOD_MASTER,
            "DATABASE_URL": "postgres://u:p@db:5432/dysa",
            "REDIS_URL": "redis://cache:6379/0",
            "DYSA_BASE_DOMAIN": "dysa.example",
            "DYSA_MODEL_CALL_RETENTION_DAYS": "0",
        }
    )

    assert result.returncode != 0
    assert "DYSA_MODEL_CALL_RETENTION_DAYS must be 1 or more" in result.stderr
