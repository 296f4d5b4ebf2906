from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared_apps.backups.errors import BackupConfigError
from shared_apps.backups.retention import RetentionPolicy, backups_to_keep

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)


def _nightly(days: int) -> list[tuple[int, datetime]]:
    return [(n, NOW - timedelta(days=n)) for n in range(days)]


def test_policy_parses_and_defaults() -> None:
    assert RetentionPolicy.parse("daily=3, monthly=2") == RetentionPolicy(
        daily=3, weekly=4, monthly=2
    )
    assert str(RetentionPolicy()) == "daily=7,weekly=4,monthly=12"


@pytest.mark.parametrize("text", ["daily", "hourly=3", "daily=-1", "daily=x"])
def test_bad_policy_is_a_config_error(text: str) -> None:
    with pytest.raises(BackupConfigError, match="DYSA_BACKUP_RETENTION"):
        RetentionPolicy.parse(text)


def test_a_year_of_nightly_backups_keeps_seven_days_four_weeks_twelve_months() -> None:
    kept = backups_to_keep(_nightly(400), RetentionPolicy(), now=NOW)

    assert set(range(7)) <= kept  # the last week, every day
    months = {(NOW - timedelta(days=n)).strftime("%Y-%m") for n in kept}
    assert len(months) == 12
    assert len(kept) <= 7 + 4 + 12
    assert 399 not in kept


def test_several_backups_a_day_keep_the_newest_of_older_days_and_all_of_today() -> None:
    items = [
        (1, NOW - timedelta(days=2, hours=1)),
        (2, NOW - timedelta(days=2)),
        (3, NOW - timedelta(hours=3)),
        (4, NOW - timedelta(hours=1)),
    ]

    kept = backups_to_keep(items, RetentionPolicy(daily=7, weekly=0, monthly=0), now=NOW)

    assert kept == {2, 3, 4}
