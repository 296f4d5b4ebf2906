"""`make prod-check`: the production configuration serving real requests over TLS.

Debian's nginx renders infra/nginx/dysa.conf.template with a generated wildcard certificate for
the test base domain and proxies to gunicorn (infra/gunicorn.conf.py, preloaded) running
`config.settings.production` against the test database. Run by `make prod-check`
(DYSA_PROD_CHECK=1); `make test` leaves it out (it needs nginx and starts servers).
"""

from __future__ import annotations

import gzip
import json
import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from tenants.models import Restaurant
from tenants.services import restaurant_delete, restaurant_purge
from tests.infra.stack import Stack, production_stack
from tests.tenants.factories import onboard_restaurant

pytestmark = [
    pytest.mark.skipif(os.environ.get("DYSA_PROD_CHECK") != "1", reason="run by make prod-check"),
    # Asks pytest-django for the test database; the stack's data is committed by the fixture.
    pytest.mark.django_db,
]

SLUG = "prodcheck"
RESTAURANT_NAME = "Cantina Prodcheck"
MAX_BODY = "1m"
CHAT_SESSIONS_PER_MINUTE = 2


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _purge(slug: str) -> None:
    for leftover in Restaurant.objects.filter(slug=slug):
        restaurant_purge(restaurant=restaurant_delete(restaurant=leftover, force=True))


@pytest.fixture(scope="module")
def stack(django_db_setup: None, django_db_blocker: Any) -> Iterator[Stack]:
    with django_db_blocker.unblock():
        _purge(SLUG)
        onboard_restaurant(SLUG, name=RESTAURANT_NAME, locale="es")
        try:
            with production_stack(
                database_url=_database_url(),
                max_body=MAX_BODY,
                nginx_required=True,
                DYSA_RATE_LIMIT_CHAT_SESSION=f"{CHAT_SESSIONS_PER_MINUTE}/min",
            ) as running:
                yield running
        finally:
            _purge(SLUG)


def _restaurant_host(stack: Stack) -> str:
    return f"{SLUG}.{stack.base_domain}"


def test_a_restaurant_host_and_the_platform_host_reach_their_own_sites(stack: Stack) -> None:
    restaurant = stack.request(_restaurant_host(stack), "/api/schema/?format=json")
    platform = stack.request(stack.base_domain, "/api/schema/?format=json")
    storefront = stack.request(_restaurant_host(stack), "/")

    assert restaurant.status == 200, stack.log("gunicorn.log")
    assert json.loads(restaurant.body)["info"]["title"] == "dysa restaurant API"
    assert platform.status == 200
    assert json.loads(platform.body)["info"]["title"] == "dysa platform API"
    assert storefront.status == 200
    assert RESTAURANT_NAME in storefront.body.decode()


def test_an_unknown_host_under_the_base_domain_is_a_404(stack: Stack) -> None:
    answer = stack.request(f"nobody.{stack.base_domain}", "/", headers={"Accept": "text/html"})

    assert answer.status == 404


def test_https_answers_carry_hsts_and_cookies_are_secure(stack: Stack) -> None:
    answer = stack.request(stack.base_domain, "/admin/login/")

    assert answer.status == 200
    hsts = answer.headers["Strict-Transport-Security"]
    assert hsts.startswith("max-age=")
    assert "includeSubDomains" in hsts
    cookies = answer.header_values("Set-Cookie")
    assert cookies, "the login page sets the CSRF cookie"
    assert all("; Secure" in cookie for cookie in cookies), cookies


def test_plain_http_is_redirected_to_https(stack: Stack) -> None:
    answer = stack.plain_request(_restaurant_host(stack), "/menu?x=1")

    assert answer.status == 308
    assert answer.headers["Location"] == f"https://{_restaurant_host(stack)}/menu?x=1"


def test_static_assets_are_served(stack: Stack) -> None:
    htmx = stack.request(_restaurant_host(stack), "/static/vendor/htmx/htmx.min.js")
    swagger = stack.request(
        stack.base_domain, "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css"
    )

    assert htmx.status == 200
    assert "javascript" in htmx.headers["Content-Type"]
    assert swagger.status == 200
    assert "text/css" in swagger.headers["Content-Type"]


def test_links_the_app_builds_are_https_with_the_public_port(stack: Stack) -> None:
    answer = stack.request(_restaurant_host(stack), "/widget.js")

    assert answer.status == 200
    api_base = re.search(r'"apiBase":\s*"([^"]+)"', answer.body.decode())
    assert api_base is not None
    assert api_base.group(1) == f"https://{_restaurant_host(stack)}:{stack.https_port}"


def test_throttles_count_the_client_address_not_nginx_s(stack: Stack) -> None:
    host = _restaurant_host(stack)

    def start_chat(source: str, forged: str | None = None) -> int:
        headers = {"Content-Type": "application/json"}
        if forged:
            headers["X-Forwarded-For"] = forged
        return stack.request(
            host, "/api/v1/chat/sessions/", method="POST", body=b"{}", headers=headers,
            source=source,
        ).status  # fmt: skip

    first_client = [start_chat("127.0.0.2") for _ in range(CHAT_SESSIONS_PER_MINUTE)]
    over_limit = start_chat("127.0.0.2")
    forged_address = start_chat("127.0.0.2", forged="203.0.113.9")
    second_client = start_chat("127.0.0.3")

    assert first_client == [201] * CHAT_SESSIONS_PER_MINUTE
    assert over_limit == 429
    assert forged_address == 429, "a forged X-Forwarded-For must not reset the count"
    assert second_client == 201, "another client is not throttled by the first one's count"


def test_a_body_over_the_limit_is_refused_by_nginx(stack: Stack) -> None:
    answer = stack.request(
        _restaurant_host(stack),
        "/api/v1/chat/sessions/",
        method="POST",
        body=b"x" * (2 * 1024 * 1024),
        headers={"Content-Type": "application/json"},
    )

    assert answer.status == 413
    assert b"nginx" in answer.body


def test_json_answers_are_compressed(stack: Stack) -> None:
    answer = stack.request(
        stack.base_domain, "/api/schema/?format=json", headers={"Accept-Encoding": "gzip"}
    )

    assert answer.headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(answer.body))["info"]["title"] == "dysa platform API"


def test_readiness_passes_through_the_proxy(stack: Stack) -> None:
    answer = stack.request(stack.base_domain, "/health/ready/")

    assert answer.status == 200, answer.body
    # The client (loopback) is an internal address seen through X-Forwarded-For: checks run.
    assert isinstance(json.loads(answer.body)["checks"], dict)


def test_workers_reconnect_after_the_database_drops_their_connections(stack: Stack) -> None:
    """What a PostgreSQL restart or failover looks like to the app: every connection gone."""
    host = _restaurant_host(stack)
    warm = [stack.request(host, "/api/v1/menu/").status for _ in range(4)]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        row = cursor.fetchone()

    after = [stack.request(host, "/api/v1/menu/").status for _ in range(6)]

    assert warm == [200] * 4
    assert row is not None
    assert row[0] >= 1, "gunicorn's workers held persistent connections"
    assert after == [200] * 6
