"""DESIGN.md's rules of the house: the folder decides the schema; no FK crosses schemas."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from django.apps import apps
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
USER_MODEL_APP = "shared_apps.accounts"


def _app_folders(folder: str) -> set[str]:
    return {
        f"{folder}.{child.name}"
        for child in (ROOT / folder).iterdir()
        if (child / "apps.py").exists()
    }


def test_every_tenant_app_folder_is_in_tenant_apps_only() -> None:
    for app in _app_folders("tenant_apps"):
        assert app in settings.TENANT_APPS, app
        assert app not in settings.SHARED_APPS, app


def test_every_shared_app_folder_is_in_shared_apps_only_except_the_user_model() -> None:
    for app in _app_folders("shared_apps") - {USER_MODEL_APP}:
        assert app in settings.SHARED_APPS, app
        assert app not in settings.TENANT_APPS, app


def test_the_user_model_app_is_the_one_documented_exception() -> None:
    in_both = {
        app
        for app in set(settings.SHARED_APPS) & set(settings.TENANT_APPS)
        if app.startswith(("shared_apps.", "tenant_apps.", "tenants"))
    }

    assert in_both == {USER_MODEL_APP}
    assert settings.AUTH_USER_MODEL == "accounts.User"


def test_no_project_app_lives_outside_the_known_folders() -> None:
    project_apps = {
        config.name
        for config in apps.get_app_configs()
        if (ROOT / config.name.split(".")[0]).is_dir()
    }

    assert all(
        name == "tenants" or name.startswith(("shared_apps.", "tenant_apps."))
        for name in project_apps
    ), project_apps


def _public_only_labels() -> set[str]:
    tenant_labels = {
        apps.get_app_config(name.rsplit(".", 1)[-1]).label
        for name in settings.TENANT_APPS
        if not name.startswith("django.")
    }
    tenant_labels |= {"contenttypes", "auth", "sessions", "messages"}
    return {c.label for c in apps.get_app_configs()} - tenant_labels


def test_no_tenant_model_has_a_foreign_key_into_a_public_only_model() -> None:
    public_only = _public_only_labels()
    tenant_app_names = {n for n in settings.TENANT_APPS if n.startswith("tenant_apps.")}
    offenders = []
    for config in apps.get_app_configs():
        if config.name not in tenant_app_names and config.name != USER_MODEL_APP:
            continue
        for model in config.get_models():
            for field in model._meta.get_fields():
                related = getattr(field, "related_model", None)
                if related is None or not (field.is_relation and field.concrete):
                    continue
                if related._meta.app_label in public_only:
                    offenders.append(f"{model.__name__}.{field.name} -> {related.__name__}")

    assert offenders == []


def test_import_platform_is_still_the_standard_library() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import platform, sysconfig; print(platform.__file__);"
            "print(sysconfig.get_paths()['stdlib'])",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    module_file, stdlib = result.stdout.split()

    assert module_file.startswith(stdlib)
    assert callable(__import__("platform").python_version)


def test_ruff_guards_against_shadowing_stdlib_modules() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()

    assert '"A"' in pyproject  # flake8-builtins, which includes A005 (module shadowing)
    assert not (ROOT / "platform" / "__init__.py").exists()
