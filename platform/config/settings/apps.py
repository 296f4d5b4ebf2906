"""The folder decides the schema.

Every package directly under `shared_apps/` that is a Django app goes to SHARED_APPS (public
schema) and every one under `tenant_apps/` to TENANT_APPS (each restaurant's schema). Adding an
app is creating its folder; no list to forget to edit.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SHARED_FOLDER = "shared_apps"
TENANT_FOLDER = "tenant_apps"
USER_MODEL_APP = "shared_apps.accounts"


@dataclass(frozen=True)
class DiscoveredApps:
    shared: list[str]
    tenant: list[str]


def _apps_in(base_dir: Path, folder: str) -> list[str]:
    root = base_dir / folder
    return sorted(
        f"{folder}.{child.name}"
        for child in root.iterdir()
        if (child / "__init__.py").exists() and (child / "apps.py").exists()
    )


def discover_apps(base_dir: Path) -> DiscoveredApps:
    shared = [app for app in _apps_in(base_dir, SHARED_FOLDER) if app != USER_MODEL_APP]
    return DiscoveredApps(
        shared=[USER_MODEL_APP, *shared], tenant=_apps_in(base_dir, TENANT_FOLDER)
    )
