from __future__ import annotations

import pytest

from shared_apps.health.tasks import heartbeat


@pytest.mark.django_db(transaction=True)
def test_heartbeat_runs_on_a_real_worker_through_the_broker(celery_worker_session: object) -> None:
    result = heartbeat.delay()

    assert result.get(timeout=20) == "ok"
