"""Retention: which backups to keep under a daily/weekly/monthly policy (grandfather-father-son).

The newest backup of each of the last `daily` days that have one is kept, likewise the newest of
each of the last `weekly` ISO weeks and `monthly` months, and every backup younger than
`MIN_AGE` (so a safety or manual backup taken today survives tonight's prune). Everything else
may be pruned.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from shared_apps.backups.errors import BackupConfigError

MIN_AGE = timedelta(hours=24)


@dataclass(frozen=True)
class RetentionPolicy:
    daily: int = 7
    weekly: int = 4
    monthly: int = 12

    @classmethod
    def parse(cls, text: str) -> RetentionPolicy:
        """`daily=7,weekly=4,monthly=12` (any subset; missing parts keep their default)."""
        values: dict[str, int] = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            name, _, raw = part.partition("=")
            name = name.strip().lower()
            if name not in ("daily", "weekly", "monthly") or not raw.strip().isdigit():
                raise BackupConfigError(
                    f"DYSA_BACKUP_RETENTION: expected daily=N,weekly=N,monthly=N, got {text!r}"
                )
            values[name] = int(raw)
        return cls(**values)

    def __str__(self) -> str:
        return f"daily={self.daily},weekly={self.weekly},monthly={self.monthly}"


def _keep_newest_per_bucket(
    items: Sequence[tuple[int, datetime]], count: int, bucket: Callable[[datetime], Hashable]
) -> set[int]:
    kept: set[int] = set()
    seen: set[Hashable] = set()
    for item_id, moment in items:
        if len(seen) >= count:
            break
        key = bucket(moment)
        if key not in seen:
            seen.add(key)
            kept.add(item_id)
    return kept


def backups_to_keep(
    items: Sequence[tuple[int, datetime]], policy: RetentionPolicy, *, now: datetime
) -> set[int]:
    """IDs to keep among `(id, created_at)` of one schema's successful backups."""
    newest_first = sorted(items, key=lambda item: item[1], reverse=True)
    return (
        {item_id for item_id, moment in items if now - moment < MIN_AGE}
        | _keep_newest_per_bucket(newest_first, policy.daily, lambda m: m.date())
        | _keep_newest_per_bucket(newest_first, policy.weekly, lambda m: m.isocalendar()[:2])
        | _keep_newest_per_bucket(newest_first, policy.monthly, lambda m: (m.year, m.month))
    )
