from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.test import Client

from tenants.demo import DEMO_RESTAURANTS
from tenants.models import Restaurant

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_three_restaurants_that_answer_and_is_idempotent(
    capsys: pytest.CaptureFixture[str],
) -> None:
    call_command("seed_demo", "--json")
    first = json.loads(capsys.readouterr().out)
    call_command("seed_demo", "--json")
    second = json.loads(capsys.readouterr().out)

    slugs = [demo["slug"] for demo in DEMO_RESTAURANTS]
    assert [row["slug"] for row in first] == slugs
    assert not any(row["created"] for row in second)
    assert Restaurant.objects.filter(slug__in=slugs).count() == 3
    for slug in slugs:
        response = Client(HTTP_HOST=f"{slug}.dysa.test").get("/api/v1/restaurant/")
        assert response.status_code == 200
        assert response.json()["slug"] == slug
