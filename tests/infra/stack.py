"""A production-configured stack on this machine: Debian's nginx with infra/nginx's template and a
generated wildcard certificate, in front of gunicorn with `config.settings.production`.

Used by `make prod-check` (tests/infra/test_production_stack.py). The same commands the image
and compose run, natively: there is no container runtime here.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "infra" / "nginx" / "dysa.conf.template"
NGINX_TEMP_DIRS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


def nginx_binary() -> str:
    found = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(found).exists():
        raise RuntimeError("make prod-check needs Debian's nginx: apt-get install -y nginx")
    return found


def production_python() -> str:
    """The interpreter of a virtualenv holding only the image's dependencies (no dev group).

    The image runs `uv sync --frozen --no-dev`; serving from the same set here catches
    production code importing a test-only package. Kept in .dev/ (uv syncs it in seconds when
    the lock is unchanged).
    """
    environment = ROOT / ".dev" / "prod-venv"
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if uv is None:
        raise RuntimeError("make prod-check needs uv (make install puts it in .venv)")
    subprocess.run(
        [uv, "sync", "--frozen", "--no-dev", "--no-install-project", "--compile-bytecode", "-q"],
        cwd=ROOT,
        env={**os.environ, "UV_PROJECT_ENVIRONMENT": str(environment)},
        check=True,
    )
    return str(environment / "bin" / "python")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def render_template(text: str, values: Mapping[str, str]) -> str:
    """envsubst as the nginx image runs it: only ${NAME}s that are given are replaced."""
    return re.sub(r"\$\{([A-Z_][A-Z0-9_]*)\}", lambda m: values.get(m.group(1), m.group(0)), text)


def wildcard_certificate(directory: Path, base_domain: str) -> tuple[Path, Path]:
    """A self-signed certificate for the base domain and *.base (the clients trust it as CA)."""
    cert, key = directory / "wildcard.crt", directory / "wildcard.key"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", f"/CN={base_domain}",
            "-addext", f"subjectAltName=DNS:{base_domain},DNS:*.{base_domain}",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def header_values(self, name: str) -> list[str]:
        return self.headers.get_all(name) or []


class _LoopbackHTTPS(http.client.HTTPSConnection):
    """TLS to 127.0.0.1 with the SNI and certificate check of a real host name."""

    def __init__(self, host: str, port: int, context: ssl.SSLContext, source: str) -> None:
        super().__init__(host, port, context=context, timeout=30)
        self._tls_context = context
        self._source = source

    def connect(self) -> None:
        sock = socket.create_connection(("127.0.0.1", self.port), 30, (self._source, 0))
        self.sock = self._tls_context.wrap_socket(sock, server_hostname=self.host)


@dataclass
class Stack:
    base_domain: str
    https_port: int
    http_port: int
    certificate: Path
    directory: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def request(
        self,
        host: str,
        path: str,
        *,
        method: str = "GET",
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        source: str = "127.0.0.1",
    ) -> Response:
        context = ssl.create_default_context(cafile=str(self.certificate))
        connection = _LoopbackHTTPS(host, self.https_port, context, source)
        try:
            connection.request(method, path, body=body, headers=dict(headers or {}))
            answer = connection.getresponse()
            return Response(answer.status, answer.headers, answer.read())
        finally:
            connection.close()

    def plain_request(self, host: str, path: str) -> Response:
        connection = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=10)
        try:
            connection.request("GET", path, headers={"Host": host})
            answer = connection.getresponse()
            return Response(answer.status, answer.headers, answer.read())
        finally:
            connection.close()

    def log(self, name: str) -> str:
        path = self.directory / name
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)


def _nginx_main_config(directory: Path, site: Path) -> str:
    temps = "\n".join(f"    {name}_temp_path {directory / name};" for name in NGINX_TEMP_DIRS)
    return (
        "daemon off;\nworker_processes 1;\n"
        f"pid {directory / 'nginx.pid'};\nerror_log {directory / 'nginx-error.log'} warn;\n"
        "events { worker_connections 512; }\n"
        "http {\n    include /etc/nginx/mime.types;\n"
        f"    access_log {directory / 'nginx-access.log'};\n{temps}\n"
        f"    include {site};\n}}\n"
    )


def _wait_until(check: object, what: str, processes: list[subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                raise RuntimeError(f"{what}: a process exited with {process.returncode}")
        if check():  # type: ignore[operator]
            return
        time.sleep(0.3)
    raise RuntimeError(f"{what}: not ready after 90 s")


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def start_stack(*, base_domain: str, app_env: Mapping[str, str], max_body: str) -> Stack:
    """gunicorn (production settings, `app_env` on top) behind nginx, both on free ports."""
    directory = Path(tempfile.mkdtemp(prefix="dysa-prodcheck-"))
    directory.chmod(0o755)  # nginx's workers (nobody) write their temp files here
    for name in NGINX_TEMP_DIRS:
        (directory / name).mkdir(mode=0o777)
        (directory / name).chmod(0o777)
    certificate, key = wildcard_certificate(directory, base_domain)
    web_port = free_port()
    stack = Stack(base_domain, free_port(), free_port(), certificate, directory)
    site = directory / "dysa.conf"
    site.write_text(
        render_template(
            TEMPLATE.read_text(),
            {
                "DYSA_BASE_DOMAIN": base_domain,
                "DYSA_UPSTREAM": f"127.0.0.1:{web_port}",
                "NGINX_HTTP_PORT": f"127.0.0.1:{stack.http_port}",
                "NGINX_HTTPS_PORT": f"127.0.0.1:{stack.https_port}",
                "NGINX_MAX_BODY_SIZE": max_body,
                "NGINX_TLS_CERTIFICATE": str(certificate),
                "NGINX_TLS_CERTIFICATE_KEY": str(key),
                "NGINX_CUSTOM_DOMAIN_CERTIFICATE": str(certificate),
                "NGINX_CUSTOM_DOMAIN_CERTIFICATE_KEY": str(key),
            },
        )
    )
    main_config = directory / "nginx.conf"
    main_config.write_text(_nginx_main_config(directory, site))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DYSA_"))},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DYSA_BASE_DOMAIN": base_domain,
        "DYSA_WEB_BIND": f"127.0.0.1:{web_port}",
        "DYSA_PUBLIC_PORT": str(stack.https_port),
        "DYSA_TRUSTED_PROXIES": "1",
        "DYSA_LOG_LEVEL": "WARNING",
        "WEB_CONCURRENCY": "2",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "platform"), str(ROOT)]),
        **app_env,
    }
    with (directory / "gunicorn.log").open("wb") as log:
        stack.processes.append(
            subprocess.Popen(
                [
                    production_python(),
                    "-m",
                    "gunicorn",
                    "-c",
                    str(ROOT / "infra" / "gunicorn.conf.py"),
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
    try:
        test = subprocess.run(
            [nginx_binary(), "-t", "-c", str(main_config)],
            check=False,
            capture_output=True,
            text=True,
        )
        if test.returncode != 0:
            raise RuntimeError(f"nginx -t refused the rendered template:\n{test.stderr}")
        stack.processes.append(
            subprocess.Popen(
                [nginx_binary(), "-c", str(main_config)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        _wait_until(lambda: _port_open(web_port), "gunicorn", stack.processes)
        _wait_until(lambda: _port_open(stack.https_port), "nginx", stack.processes)
    except BaseException:
        logs = stack.log("gunicorn.log")
        stack.stop()
        raise RuntimeError(f"the stack did not start; gunicorn said:\n{logs}") from None
    return stack


@contextmanager
def production_stack(
    *, database_url: str, max_body: str = "1m", nginx_required: bool = False, **app_env: str
) -> Iterator[Stack]:
    """`start_stack` with what every test stack needs (this test run's Redis and master keys,
    a fresh secret key) and `app_env` on top. Without nginx the test is skipped, unless
    `nginx_required` (make prod-check: a missing nginx is a failure there)."""
    import pytest
    from django.conf import settings

    try:
        nginx_binary()
    except RuntimeError as missing:
        if nginx_required:
            raise
        pytest.skip(str(missing))
    running = start_stack(
        base_domain=settings.DYSA_BASE_DOMAIN,
        max_body=max_body,
        app_env={
            "DATABASE_URL": database_url,
            "REDIS_URL": str(settings.CACHES["default"]["LOCATION"]),
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
            "DYSA_MASTER_KEYS": ",".join(settings.DYSA_MASTER_KEYS),
            **app_env,
        },
    )
    try:
        yield running
    finally:
        running.stop()
