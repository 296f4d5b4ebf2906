"""Browser tests of the platform host: a browser resolving the platform and every restaurant
host to the live server (helpers in pages.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import CHROMIUM_ARGS, chromium_path


@pytest.fixture
def platform_browser(
    live_server: Any, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # Links the app prints (entry links, welcome links) point at the live server's port.
    settings.DYSA_PUBLIC_PORT = live_server.thread.port
    base = settings.DYSA_BASE_DOMAIN
    rules = f"MAP {base} 127.0.0.1, MAP *.{base} 127.0.0.1"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_path(),
            args=[*CHROMIUM_ARGS, f"--host-resolver-rules={rules}"],
        )
        try:
            yield chromium
        finally:
            chromium.close()
