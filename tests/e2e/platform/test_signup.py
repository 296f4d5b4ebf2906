"""Browser flow on the platform host: the landing page, then signup to the first login."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail

from tests.e2e.conftest import _drop_cache_keys, _forget_leftovers
from tests.e2e.platform.pages import (
    ARTIFACTS,
    TIMEOUT_MS,
    check_page,
    platform_url,
)

pytestmark = [pytest.mark.e2e]

SLUG = "e2e-alta"


@pytest.fixture
def signup_slug(transactional_db: None) -> Iterator[str]:
    _forget_leftovers(SLUG)
    yield SLUG
    _forget_leftovers(SLUG)
    _drop_cache_keys(f"t_{SLUG.replace('-', '_')}")


def _emailed_link(timeout: float = 20) -> str:
    deadline = time.monotonic() + timeout
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.1)
    assert mail.outbox, "no verification email was sent"
    found = re.search(r"http://\S+/signup/verify/\S+/", str(mail.outbox[-1].body))
    assert found
    return found.group(0)


def test_signup_to_first_login(
    live_server: Any, platform_browser: Any, signup_slug: str, celery_worker_session: object
) -> None:
    from playwright.sync_api import expect

    mail.outbox.clear()
    page = platform_browser.new_page(viewport={"width": 1280, "height": 900}, locale="es-ES")
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(platform_url(live_server, "/?lang=en"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("answers every customer")
    check_page(page, "landing-en")
    page.goto(platform_url(live_server, "/?lang=es"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("responde")
    check_page(page, "landing-es")

    page.goto(platform_url(live_server, "/signup/?lang=en"))
    page.get_by_label("Restaurant name").fill("Alta Cocina E2E")
    page.get_by_label("Address", exact=True).fill("admin")
    expect(page.locator("#slug-check")).to_contain_text("reserved")
    page.get_by_label("Address", exact=True).fill(signup_slug)
    expect(page.locator("#slug-check")).to_contain_text("Available")
    page.get_by_label("Your email").fill("chef@alta.example")
    page.get_by_label("Password").fill("a-good-pass-2468")
    page.get_by_label("Country").select_option("ES")
    page.get_by_label("Currency").select_option("EUR")
    check_page(page, "signup")
    page.get_by_role("button", name="Create my restaurant").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    page.goto(_emailed_link())
    page.wait_for_url(f"**{signup_slug}.**/panel/**")
    expect(page.locator("header.top .brand")).to_contain_text("Alta Cocina E2E")
    page.screenshot(path=str(ARTIFACTS / "signup-first-login-1280.png"))
