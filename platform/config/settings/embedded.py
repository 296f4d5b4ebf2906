"""Find the embedded servers started by `infra/devservices.py` (local and test settings only)."""

from __future__ import annotations

import json
import os
from pathlib import Path


def embedded_services(base_dir: Path) -> dict[str, str]:
    dev_dir = Path(os.environ.get("DYSA_DEV_DIR", base_dir / ".dev"))
    try:
        data = json.loads((dev_dir / "services.json").read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
    return {key: value for key, value in data.items() if isinstance(value, str)}


def require(value: str, name: str) -> str:
    if not value:
        raise RuntimeError(
            f"{name} is not set and no embedded services were found: run "
            "`python infra/devservices.py start` (make run / make test do it for you)."
        )
    return value
