"""Headers and sessions (issue #11): CSP the pages satisfy, no framing, referrer policy,
HSTS in production, cookie flags, and a request-body size limit on every endpoint."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from tests.conftest import PUBLIC_HOST
from tests.tenants.factories import TenantHandle

pytestmark = pytest.mark.django_db
ROOT = Path(settings.BASE_DIR)
TEMPLATE_DIRS = ["tenant_apps", "shared_apps", "tenants", "platform"]


def test_answers_that_are_not_pages_run_nothing_and_cannot_be_framed(
    tenant_a: TenantHandle,
) -> None:
    response = Client(HTTP_HOST=tenant_a.host).get("/api/v1/menu/")

    assert response["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("path", ["/", "/panel/login/", "/api/docs/"])
def test_restaurant_pages_send_csp_no_framing_and_a_referrer_policy(
    tenant_a: TenantHandle, path: str
) -> None:
    response = Client(HTTP_HOST=tenant_a.host).get(path)

    csp = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert re.search(r"script-src 'self' 'nonce-[\w-]{16,}'", csp)
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_each_answer_has_its_own_nonce_and_inline_scripts_carry_it(tenant_a: TenantHandle) -> None:
    from tests.tenant_apps.staff.factories import make_staff

    owner = make_staff(tenant_a, "owner")
    client = Client(HTTP_HOST=tenant_a.host)
    from django_tenants.utils import schema_context

    with schema_context(tenant_a.schema_name):
        client.force_login(owner)
    first, second = client.get("/panel/"), client.get("/panel/")

    nonce = re.search(r"'nonce-([\w-]+)'", first["Content-Security-Policy"]).group(1)  # type: ignore[union-attr]
    assert nonce not in second["Content-Security-Policy"]
    executable = r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>"  # JSON data runs nothing
    for script in re.findall(executable, first.content.decode()):
        assert f'nonce="{nonce}"' in script


def test_no_template_has_inline_handlers_or_unnonced_inline_scripts() -> None:
    """What the CSP would block in a browser, found in the source: every page satisfies it."""
    offenders = []
    for top in TEMPLATE_DIRS:
        for template in (ROOT / top).rglob("templates/**/*.html"):
            text = template.read_text()
            inline_scripts = re.findall(
                r"<script(?![^>]*\b(?:src|nonce)=)(?![^>]*application/json)[^>]*>", text
            )
            handlers = re.findall(r"\son[a-z]+=\"", text)
            if inline_scripts or handlers or "javascript:" in text:
                offenders.append(str(template.relative_to(ROOT)))

    assert offenders == []


def test_a_body_over_the_limit_is_refused_on_every_host(
    tenant_a: TenantHandle, settings: object
) -> None:
    settings.DYSA_MAX_REQUEST_BYTES = 1000  # type: ignore[attr-defined]
    big = {"text": "x" * 2000}

    chat = APIClient(HTTP_HOST=tenant_a.host).post("/api/v1/chat/sessions/", big, format="json")
    login = APIClient(HTTP_HOST=PUBLIC_HOST).post(
        "/api/platform/v1/auth/token/", big, format="json"
    )

    assert (chat.status_code, login.status_code) == (413, 413)
    assert chat["Content-Type"] == "application/problem+json"


def test_session_and_csrf_cookies_are_lax_and_the_session_http_only() -> None:
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.CSRF_COOKIE_SAMESITE == "Lax"
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_production_sends_hsts_and_secure_cookies() -> None:
    import subprocess
    import sys

    code = (
        "from config.settings import production as p;"
        "print(p.SECURE_HSTS_SECONDS > 0, p.SESSION_COOKIE_SECURE, p.CSRF_COOKIE_SECURE)"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "x" * 60 + "production-like-secret-key",
        "DYSA_MASTER_KEYS": "dGVzdC1tYXN0ZXIta2V5LW51bWJlci1vbmUtMzJieXQ=",
        "DATABASE_URL": "postgres://u:p@db:5432/dysa",
        "REDIS_URL": "redis://cache:6379/0",
        "DYSA_BASE_DOMAIN": "dysa.example",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=str(ROOT / "platform"),
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.stdout.split() == ["True", "True", "True"], result.stderr[-500:]
