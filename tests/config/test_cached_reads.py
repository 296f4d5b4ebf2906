"""Cached public reads answered by the middleware, before URL resolution and DRF."""

from __future__ import annotations

import pickle
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings
from django.urls import path
from django_tenants.utils import schema_context
from rest_framework.authentication import SessionAuthentication
from rest_framework.test import APIClient
from rest_framework.views import APIView

from core.cache import cache_read_keys
from core.hotpath.middleware import discover_cached_reads
from core.hotpath.near import CLIENT_NAME
from core.hotpath.state import hot_path
from tenant_apps.menu.models import MenuItem
from tests.tenant_apps.menu.factories import make_category, make_item
from tests.tenants.factories import TenantHandle
from tests.throttle_counters import throttle_counters

pytestmark = pytest.mark.django_db

MENU = "/api/v1/menu/"


def _served_by_shortcut(response: Any) -> bool:
    # Django records the resolved view on the request; the shortcut answers before that.
    return response.wsgi_request.resolver_match is None


def _redis() -> Any:
    from django_redis import get_redis_connection  # type: ignore[import-untyped]

    return get_redis_connection("default")


@pytest.fixture
def menu_a(tenant_a: TenantHandle) -> None:
    with schema_context(tenant_a.schema_name):
        make_item(make_category("Tacos", "Tacos"), "Tacos al pastor", "Al pastor tacos")


def test_a_cached_menu_is_answered_before_the_view_with_the_views_headers(
    menu_a: None, client_a: APIClient
) -> None:
    from_view = client_a.get(MENU)

    from_cache = client_a.get(MENU)

    assert not _served_by_shortcut(from_view)
    assert _served_by_shortcut(from_cache)
    assert from_cache.status_code == 200
    assert from_cache.content == from_view.content
    same_headers = {k: v for k, v in from_view.headers.items() if k != "X-Request-ID"}
    assert {k: v for k, v in from_cache.headers.items() if k != "X-Request-ID"} == same_headers
    assert from_cache["X-Request-ID"] != from_view["X-Request-ID"]


def test_every_request_is_counted_once_in_the_anonymous_rate(
    menu_a: None, client_a: APIClient
) -> None:
    client_a.get(MENU)  # a miss: the view answers, with the count the middleware made
    client_a.get(MENU)
    client_a.get(MENU, {"lang": "en"})  # a miss in English
    client_a.get(MENU, {"lang": "en"})

    assert list(throttle_counters("*throttle_anon_*").values()) == [4]


def test_the_101st_cached_read_in_a_minute_is_a_429_with_retry_after(
    menu_a: None, client_a: APIClient
) -> None:
    answers = [client_a.get(MENU) for _ in range(100)]

    limited = client_a.get(MENU)

    assert {a.status_code for a in answers} == {200}
    assert limited.status_code == 429
    assert 0 < int(limited["Retry-After"]) <= 60
    assert limited["Content-Type"] == "application/problem+json"


def test_each_restaurant_gets_its_own_cached_menu(
    menu_a: None, tenant_b: TenantHandle, client_a: APIClient, client_b: APIClient
) -> None:
    with schema_context(tenant_b.schema_name):
        make_item(make_category("Burgers", "Burgers"), "Hamburguesa", "Cheeseburger")
    client_a.get(MENU)
    client_b.get(MENU)

    alpha, bravo = client_a.get(MENU), client_b.get(MENU)

    assert _served_by_shortcut(alpha)
    assert _served_by_shortcut(bravo)
    assert alpha.json()["categories"][0]["items"][0]["name"] == "Tacos al pastor"
    assert bravo.json()["categories"][0]["items"][0]["name"] == "Cheeseburger"


@pytest.mark.parametrize("accept", ["application/json", "*/*", "text/html, application/json"])
def test_clients_accepting_json_get_the_cached_answer(
    menu_a: None, client_a: APIClient, accept: str
) -> None:
    client_a.get(MENU)

    response = client_a.get(MENU, HTTP_ACCEPT=accept)

    assert response.status_code == 200
    assert _served_by_shortcut(response)


@pytest.mark.parametrize("accept", ["application/xml", "text/html"])
def test_a_client_refusing_json_still_gets_the_views_406(
    menu_a: None, client_a: APIClient, accept: str
) -> None:
    client_a.get(MENU)

    response = client_a.get(MENU, HTTP_ACCEPT=accept)

    assert response.status_code == 406
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("query", "status"), [({"lang": "fr"}, 400), ({"lang": "en", "page": "2"}, 200)]
)
def test_queries_other_than_a_language_go_to_the_view(
    menu_a: None, client_a: APIClient, query: dict[str, str], status: int
) -> None:
    client_a.get(MENU, query)

    response = client_a.get(MENU, query)

    assert response.status_code == status
    assert not _served_by_shortcut(response)


def test_only_get_is_answered_from_the_cache(menu_a: None, client_a: APIClient) -> None:
    client_a.get(MENU)

    head = client_a.head(MENU)
    post = client_a.post(MENU, {}, format="json")

    assert head.status_code == 200
    assert not _served_by_shortcut(head)
    assert post.status_code == 403  # the view's answer: POST is not public
    assert not _served_by_shortcut(post)


def test_the_platform_host_does_not_serve_restaurant_menus(
    menu_a: None, client_a: APIClient, public_client: Client
) -> None:
    client_a.get(MENU)

    response = public_client.get(MENU)

    assert response.status_code == 404


class _AuthenticatedRead(APIView):
    authentication_classes = [SessionAuthentication]
    public_cache_resource = "menu"

    @staticmethod
    def public_cache_key(request: Any) -> str | None:
        return "anything"


urlpatterns = [path("private/", _AuthenticatedRead.as_view())]


def test_with_the_near_cache_off_a_hit_is_read_with_the_rate_count(
    menu_a: None, client_a: APIClient
) -> None:
    with override_settings(DYSA_NEAR_CACHE=False):
        first = client_a.get(MENU)

        second = client_a.get(MENU)

    assert _served_by_shortcut(second)
    prefetched = hot_path(second.wsgi_request).fetched
    assert prefetched is not None
    assert [entry[1] for entry in prefetched.values() if isinstance(entry, tuple)] == [
        second.content
    ]
    assert second.content == first.content


def _redis_reads() -> int:
    stats = _redis().info("commandstats")
    return sum(int(stats.get(f"cmdstat_{name}", {}).get("calls", 0)) for name in ("get", "mget"))


def test_a_hit_from_the_local_copy_reads_nothing_from_redis(
    menu_a: None, client_a: APIClient
) -> None:
    client_a.get(MENU)
    client_a.get(MENU)  # read from Redis into the local copy
    reads = _redis_reads()

    hit = client_a.get(MENU)

    assert _served_by_shortcut(hit)
    assert _redis_reads() == reads


def test_a_write_by_another_process_is_seen_by_the_next_read(
    tenant_a: TenantHandle, menu_a: None, client_a: APIClient
) -> None:
    client_a.get(MENU)
    assert _first_price(client_a.get(MENU)) == "9.50"  # now a local copy
    with schema_context(tenant_a.schema_name):
        MenuItem.objects.update(price=Decimal("11.00"))
        version_key = cache.make_key(cache_read_keys("menu", "any")[0])

    _redis().set(version_key, pickle.dumps("a-token-set-by-another-worker"))  # its invalidate()

    assert _first_price(client_a.get(MENU)) == "11.00"


def test_a_dropped_near_cache_connection_falls_back_and_still_answers(
    menu_a: None, client_a: APIClient, caplog: pytest.LogCaptureFixture
) -> None:
    client_a.get(MENU)
    client_a.get(MENU)
    redis = _redis()
    for client in redis.client_list():
        if client["name"] == CLIENT_NAME:
            redis.client_kill_filter(_id=client["id"])

    answers = [client_a.get(MENU) for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert {_first_price(a) for a in answers} == {"9.50"}
    assert "near cache failed" in caplog.text


def _first_price(response: Any) -> str:
    return str(response.json()["categories"][0]["items"][0]["price"])


def test_a_view_with_authentication_cannot_declare_a_cached_public_read() -> None:
    with pytest.raises(ImproperlyConfigured, match="_AuthenticatedRead at /private/"):
        discover_cached_reads(__name__)


def test_the_public_menu_is_the_discovered_cached_read() -> None:
    routes = discover_cached_reads("config.urls_tenants")

    assert list(routes) == [MENU]
    assert routes[MENU].allow == "GET, HEAD, OPTIONS"


def test_without_a_redis_cache_the_menu_is_answered_by_the_view(
    menu_a: None, client_a: APIClient
) -> None:
    dummy = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

    with override_settings(CACHES=dummy):
        answers = [client_a.get(MENU) for _ in range(2)]

    assert [a.status_code for a in answers] == [200, 200]
    assert not _served_by_shortcut(answers[1])
