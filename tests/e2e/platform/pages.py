"""Helpers for browser tests of the platform host (console, support, landing, signup):
restaurants of their own, a browser that resolves the platform and every restaurant host to
the live server, the two-step console login, axe-core and screenshots at 1280 and 390 wide."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings

from tests.e2e.axe import axe_violations
from tests.shared_apps.accounts.otp import current_code

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / ".artifacts"
TIMEOUT_MS = 15_000
PASSWORD = "console-pass-2468"


def platform_url(live_server: Any, path: str = "/", host: str | None = None) -> str:
    return f"http://{host or settings.DYSA_BASE_DOMAIN}:{live_server.thread.port}{path}"


def console_login(page: Any, live_server: Any, user: Any) -> None:
    page.goto(platform_url(live_server, "/console/login/"))
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Code from your authenticator app (or a recovery code)").fill(
        current_code(user)
    )
    page.get_by_role("button", name="Verify").click()


def serious_axe_violations(page: Any) -> list[dict[str, Any]]:
    return axe_violations(page)


def check_page(page: Any, name: str) -> None:
    """No serious/critical axe violation, and screenshots at desktop and phone widths."""
    violations = serious_axe_violations(page)
    assert violations == [], json.dumps(violations, indent=1)
    ARTIFACTS.mkdir(exist_ok=True)
    viewport = page.viewport_size
    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size(viewport)
