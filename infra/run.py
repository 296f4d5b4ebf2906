"""`make run`: web (gunicorn) + Celery worker + Celery beat, with prefixed logs.

Waits until /health/ready/ answers, prints the platform URL and every restaurant's URL, and on
Ctrl-C stops the three processes and then the embedded PostgreSQL/Redis it was using (data is
kept under .dev/, so the next `make run` finds everything again).
"""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
READY_TIMEOUT_SECONDS = 90
STOP_TIMEOUT_SECONDS = 15
COLORS = {"web": "\033[36m", "worker": "\033[33m", "beat": "\033[35m"}
RESET = "\033[0m"


def _commands(port: int) -> dict[str, list[str]]:
    dev = ROOT / ".dev"
    dev.mkdir(exist_ok=True)
    return {
        "web": [
            str(VENV_BIN / "gunicorn"),
            "-c",
            str(ROOT / "infra" / "gunicorn.conf.py"),
            "--bind",
            # No proxy in development: the public port is also where gunicorn listens.
            os.environ.get("DYSA_WEB_BIND", f"0.0.0.0:{port}"),
            "--workers",
            os.environ.get("WEB_CONCURRENCY", "3"),
        ],
        "worker": [
            str(VENV_BIN / "celery"),
            "-A",
            "config.celery_app",
            "worker",
            "--loglevel",
            "INFO",
            "--concurrency",
            "2",
            "--hostname",
            "worker@%h",
        ],
        "beat": [
            str(VENV_BIN / "celery"),
            "-A",
            "config.celery_app",
            "beat",
            "--loglevel",
            "INFO",
            "--schedule",
            str(dev / "celerybeat-schedule"),
        ],
    }


def _pump(name: str, stream: object) -> None:
    color = COLORS.get(name, "") if sys.stdout.isatty() else ""
    reset = RESET if color else ""
    for line in iter(stream.readline, ""):  # type: ignore[attr-defined]
        sys.stdout.write(f"{color}{name:>6} |{reset} {line}")
        sys.stdout.flush()


def _ready(port: int, host: str) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        conn.request("GET", "/health/ready/", headers={"Host": host})
        ok = conn.getresponse().status == 200
        conn.close()
        return ok
    except OSError:
        return False


def _print_urls(port: int) -> None:
    sys.path.insert(0, str(ROOT / "platform"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from django.conf import settings

    from tenants.selectors import restaurant_list, restaurant_primary_url

    base = settings.DYSA_BASE_DOMAIN
    lines = [
        "",
        "dysa is up.",
        f"  Platform:   http://{base}:{port}/   (API docs: http://{base}:{port}/api/docs/)",
    ]
    lines += [f"  Restaurant: {restaurant_primary_url(r)}   ({r.name})" for r in restaurant_list()]
    lines += [f"  Health:     http://{base}:{port}/health/ready/", "Press Ctrl-C to stop.", ""]
    print("\n".join(lines), flush=True)  # noqa: T201


def _stop(processes: dict[str, subprocess.Popen[str]]) -> None:
    for process in processes.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    for process in processes.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()


def main() -> int:
    port = int(os.environ.get("DYSA_PUBLIC_PORT", "8000"))
    base_domain = os.environ.get("DYSA_BASE_DOMAIN", "localhost")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    processes: dict[str, subprocess.Popen[str]] = {}
    stopping = threading.Event()

    def request_stop(_signum: int, _frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGHUP, request_stop)
    for name, command in _commands(port).items():
        # Own process group: the terminal's Ctrl-C reaches us only, and we stop them in order.
        processes[name] = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        threading.Thread(target=_pump, args=(name, processes[name].stdout), daemon=True).start()

    started = time.monotonic()
    announced = False
    exit_code = 0
    while not stopping.is_set():
        dead = [name for name, p in processes.items() if p.poll() is not None]
        if dead:
            print(f"process {dead} exited; stopping everything", flush=True)  # noqa: T201
            exit_code = 1
            break
        if not announced and _ready(port, base_domain):
            _print_urls(port)
            announced = True
        elif not announced and time.monotonic() - started > READY_TIMEOUT_SECONDS:
            print("web did not become ready in time; stopping", flush=True)  # noqa: T201
            exit_code = 1
            break
        stopping.wait(0.5)

    print("stopping web, worker and beat...", flush=True)  # noqa: T201
    _stop(processes)
    if "DATABASE_URL" not in os.environ or "REDIS_URL" not in os.environ:
        subprocess.run(
            [sys.executable, str(ROOT / "infra" / "devservices.py"), "stop"],
            check=False,
        )
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
