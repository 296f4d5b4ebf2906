"""Self-service signup: abuse limits, email verification, first login on the restaurant host."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

import pytest
from django.core import signing
from django.test import Client, override_settings

from shared_apps.landing.models import Signup
from shared_apps.landing.services import VERIFY_SALT
from shared_apps.mail.services import email_render
from tenants.models import Restaurant
from tests.conftest import PUBLIC_HOST

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Casa Nueva",
    "slug": "casa-nueva",
    "owner_email": "duena@casanueva.es",
    "owner_password": "a-good-pass-2468",
    "country": "ES",
    "timezone": "Europe/Madrid",
    "currency": "EUR",
}


def post_signup(client: Client | None = None, **changes: Any) -> Any:
    client = client or Client(HTTP_HOST=PUBLIC_HOST)
    return client.post("/signup/", {**FORM, **changes})


def verify_link(signup: Signup) -> str:
    return f"/signup/verify/{signing.dumps({'signup': signup.pk}, salt=VERIFY_SALT)}/"


def test_signup_to_first_login_on_the_restaurant_host() -> None:
    response = post_signup()
    assert response.status_code == 200
    assert b"Check your email" in response.content or b"Revisa tu correo" in response.content
    signup = Signup.objects.get()
    assert signup.restaurant.status == Restaurant.Status.SUSPENDED  # until verified

    verified = Client(HTTP_HOST=PUBLIC_HOST).get(verify_link(signup))
    assert verified.status_code == 302
    welcome = urlparse(verified["Location"])
    assert welcome.hostname == "casa-nueva.dysa.test"
    assert Restaurant.objects.get(slug="casa-nueva").status == Restaurant.Status.ACTIVE

    browser = Client(HTTP_HOST="casa-nueva.dysa.test")
    landed = browser.get(welcome.path)
    assert landed.status_code == 302
    assert landed["Location"] == "/panel/"
    session = browser.get("/api/v1/auth/session/").json()
    assert session["email"] == "duena@casanueva.es"
    assert session["role"] == "owner"
    assert Client(HTTP_HOST="casa-nueva.dysa.test").get(welcome.path).status_code == 404


def test_the_verification_email_carries_the_link_in_the_owners_language() -> None:
    rendered = email_render(
        template="signup_verify",
        context={"name": "Casa Nueva", "link": "http://dysa.test:8000/signup/verify/x/"},
        language="en",
    )
    assert "Casa Nueva" in rendered.subject
    assert "http://dysa.test:8000/signup/verify/x/" in rendered.text


@pytest.mark.parametrize("slug", ["www", "admin", "dysa-help", "soporte", "putamadre", "a"])
def test_reserved_offensive_and_bad_slugs_are_refused(slug: str) -> None:
    response = post_signup(slug=slug)
    assert response.status_code == 400
    assert not Signup.objects.exists()


def test_the_live_slug_check_says_taken_or_available(tenant_a: object) -> None:
    client = Client(HTTP_HOST=PUBLIC_HOST, HTTP_ACCEPT_LANGUAGE="en")
    assert b"taken" in client.get("/signup/slug-check/", {"slug": "alpha"}).content
    assert b"Available" in client.get("/signup/slug-check/", {"slug": "fresh-one"}).content
    assert b"reserved" in client.get("/signup/slug-check/", {"slug": "api"}).content


@override_settings(DYSA_SIGNUP_DISPOSABLE_DOMAINS=["trash.example"])
def test_disposable_email_domains_are_refused() -> None:
    response = post_signup(owner_email="x@mail.trash.example")
    assert response.status_code == 400
    assert not Signup.objects.exists()


@override_settings(DYSA_SIGNUP_PER_IP_PER_HOUR=1)
def test_signups_are_limited_per_ip() -> None:
    client = Client(HTTP_HOST=PUBLIC_HOST, REMOTE_ADDR="10.1.2.3")
    assert post_signup(client).status_code == 200
    assert post_signup(client, slug="casa-otra").status_code == 429
    assert Signup.objects.count() == 1


@override_settings(DYSA_SIGNUP_REQUIRES_APPROVAL=True)
def test_with_approval_required_the_restaurant_waits_for_an_operator() -> None:
    post_signup()
    signup = Signup.objects.get()
    page = Client(HTTP_HOST=PUBLIC_HOST, HTTP_ACCEPT_LANGUAGE="en").get(verify_link(signup))
    assert page.status_code == 200
    assert b"approves" in page.content
    assert Restaurant.objects.get(slug="casa-nueva").status == Restaurant.Status.SUSPENDED


def test_the_landing_page_lists_no_customers_and_speaks_both_languages(tenant_a: object) -> None:
    english = Client(HTTP_HOST=PUBLIC_HOST).get("/", {"lang": "en"}).content.decode()
    spanish = Client(HTTP_HOST=PUBLIC_HOST).get("/", {"lang": "es"}).content.decode()
    assert "Taquería Alfa" not in english
    assert 'lang="en"' in english
    assert 'lang="es"' in spanish
    assert re.search(r"/signup/", english)
