"""Helpers for the panel's browser tests: log in, axe-core checks and screenshots."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.e2e.axe import axe_violations

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / ".artifacts" / "panel"
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


def log_in(page: Any, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/panel/login/")
    page.fill("#id_email", email)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/panel/")


def check_page(page: Any, name: str, problems: dict[str, Any]) -> None:
    """Screenshot the page at desktop and phone widths (under .artifacts/) and record its
    serious/critical accessibility violations at each width under `name`."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size
    for label, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"), full_page=True)
        found = axe_violations(page)
        if found:
            problems[f"{name}@{label}"] = found
    page.set_viewport_size(original)


def report(problems: dict[str, Any]) -> str:
    return json.dumps(problems, indent=1, ensure_ascii=False)
