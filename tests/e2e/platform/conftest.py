"""Browser tests of the platform host: a browser resolving the platform and every restaurant
host to the live server (helpers in pages.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import chromium_resolving


@pytest.fixture
def platform_browser(
    live_server: Any, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> Iterator[Any]:
    # Links the app prints (entry links, welcome links) point at the live server's port.
    settings.DYSA_PUBLIC_PORT = live_server.thread.port
    base = settings.DYSA_BASE_DOMAIN
    with chromium_resolving(
        f"MAP {base} 127.0.0.1, MAP *.{base} 127.0.0.1", monkeypatch
    ) as chromium:
        yield chromium
