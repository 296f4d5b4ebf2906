"""Streaming dump and restore of one schema, encrypted end to end.

Dump:    pg_dump --snapshot=S -Fc -n SCHEMA  ->  encrypt  ->  encrypted file
         (the manifest's fingerprint is computed in the transaction that exported S)
Restore: encrypted file -> decrypt -> pg_restore -f - -> rename schema -> psql --single-transaction

No plaintext dump ever touches the disk. A restore lands under another schema name by rewriting
schema-qualified names in the SQL that pg_restore prints (COPY data lines pass untouched), and it
commits only when every step succeeded: on any failure psql is killed before it reads the end of
its input, so the server rolls the whole transaction back and nothing is left behind.
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import psycopg

from shared_apps.backups import crypto, pgtools
from shared_apps.backups.errors import BackupError, DumpError, RestoreError
from shared_apps.backups.manifest import schema_fingerprint

LOCK_WAIT_TIMEOUT = "60s"
_STDERR_TAIL = 2000


@dataclass(frozen=True)
class DumpResult:
    stats: crypto.StreamStats
    fingerprint: dict[str, Any]
    server_version: str
    pg_dump_version: str


def _tail(path: Path) -> str:
    try:
        text = path.read_text(errors="replace").strip()
    except OSError:
        return ""
    return text[-_STDERR_TAIL:]


@contextlib.contextmanager
def _stderr_file() -> Iterator[tuple[IO[bytes], Path]]:
    with tempfile.NamedTemporaryFile(prefix="dysa-pg-", suffix=".err") as handle:
        yield handle, Path(handle.name)


def _snapshot_connection(schema_name: str) -> psycopg.Connection[Any]:
    conn = pgtools.connect()
    conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    conn.read_only = True
    return conn


def dump_encrypted(
    *,
    schema_name: str,
    key: bytes,
    target: IO[bytes],
    on_chunk: Callable[[int], None] | None = None,
) -> DumpResult:
    """Dump `schema_name` encrypted into `target`, with the fingerprint of the same snapshot."""
    with _snapshot_connection(schema_name) as conn:
        version_num = pgtools.server_version_num(conn)
        tools = pgtools.pg_tools(server_version_num=version_num)
        if not pgtools.schema_exists(conn, schema_name):
            raise DumpError(f"schema {schema_name} does not exist")
        row = conn.execute(
            "SELECT pg_export_snapshot(), current_setting('server_version')"
        ).fetchone()
        assert row is not None
        snapshot, server_version = str(row[0]), str(row[1])

        fingerprint: dict[str, Any] = {}
        failure: list[BaseException] = []

        def compute() -> None:
            try:
                fingerprint.update(schema_fingerprint(conn, schema_name))
            except BaseException as exc:
                failure.append(exc)

        with _stderr_file() as (stderr, stderr_path):
            process = subprocess.Popen(
                [
                    tools.pg_dump,
                    "--format=custom",
                    f"--schema={schema_name}",
                    "--strict-names",
                    f"--snapshot={snapshot}",
                    f"--lock-wait-timeout={LOCK_WAIT_TIMEOUT}",
                    "--no-sync",
                ],
                stdout=subprocess.PIPE,
                stderr=stderr,
                env=pgtools.libpq_env(),
            )
            worker = threading.Thread(target=compute, name=f"fingerprint-{schema_name}")
            worker.start()
            try:
                assert process.stdout is not None
                stats = crypto.encrypt_stream(process.stdout, target, key=key, on_chunk=on_chunk)
            finally:
                returncode = process.wait()
                worker.join()
            if returncode != 0:
                raise DumpError(f"pg_dump of {schema_name} failed: {_tail(stderr_path)}")
        if failure:
            raise DumpError(f"fingerprinting {schema_name} failed: {failure[0]}") from failure[0]
        conn.rollback()
    return DumpResult(
        stats=stats,
        fingerprint=fingerprint,
        server_version=server_version,
        pg_dump_version=tools.version,
    )


# --- restore --------------------------------------------------------------------------------

_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_COPY_START = re.compile(rb"^COPY .* FROM stdin;\n$")
_COPY_END = b"\\.\n"


def validate_schema_name(name: str) -> str:
    if not _IDENT.match(name) or name.startswith("pg_"):
        raise RestoreError(
            f"invalid schema name {name!r}: use lowercase letters, digits and underscores "
            "(at most 63, not starting with pg_)"
        )
    return name


class SchemaRenamer:
    """Rewrites pg_restore's SQL so objects of `source` land in `target`.

    Only schema-qualified names (`source.x`), `SCHEMA source` and the literal `'source'` are
    rewritten; extension objects living in `source` (e.g. `public.unaccent`) keep their
    schema, and COPY data is never touched.
    """

    def __init__(self, source: str, target: str, *, keep: set[str]) -> None:
        self.target = target
        kept = "|".join(re.escape(name) for name in sorted(keep, key=len, reverse=True))
        keep_guard = f'(?!"?(?:{kept})"?(?![\\w$]))' if kept else ""
        src = re.escape(source)
        self._qualified = re.compile(rf'(?<![\w$."]){src}\.{keep_guard}')
        self._schema_word = re.compile(rf"(?<=SCHEMA ){src}(?![\w$])")
        self._literal = re.compile(rf"'{src}'")
        self._in_copy = False

    def line(self, raw: bytes) -> bytes:
        if self._in_copy:
            if raw == _COPY_END:
                self._in_copy = False
            return raw
        if _COPY_START.match(raw):
            self._in_copy = True
        text = raw.decode("utf-8")
        text = self._qualified.sub(f"{self.target}.", text)
        text = self._schema_word.sub(self.target, text)
        text = self._literal.sub(f"'{self.target}'", text)
        return text.encode("utf-8")


def extension_member_names(conn: psycopg.Connection[Any], schema_name: str) -> set[str]:
    """Names of extension-owned objects in a schema (pg_dump -n never dumps them)."""
    rows = conn.execute(
        """
        SELECT o.name FROM (
            SELECT proname::text AS name, pronamespace AS ns, oid, 'pg_proc'::regclass AS cls
              FROM pg_proc
            UNION ALL SELECT typname::text, typnamespace, oid, 'pg_type'::regclass FROM pg_type
            UNION ALL SELECT oprname::text, oprnamespace, oid, 'pg_operator'::regclass
              FROM pg_operator
            UNION ALL SELECT opcname::text, opcnamespace, oid, 'pg_opclass'::regclass
              FROM pg_opclass
            UNION ALL SELECT opfname::text, opfnamespace, oid, 'pg_opfamily'::regclass
              FROM pg_opfamily
        ) o
        JOIN pg_namespace n ON n.oid = o.ns
        JOIN pg_depend d ON d.classid = o.cls AND d.objid = o.oid AND d.deptype = 'e'
        WHERE n.nspname = %s
        """,
        [schema_name],
    ).fetchall()
    return {str(row[0]) for row in rows}


class _Feeder(threading.Thread):
    """Decrypts the backup into pg_restore's stdin, hashing the plaintext on the way."""

    def __init__(self, encrypted: Path, key: bytes, sink: IO[bytes]) -> None:
        super().__init__(name="backup-decrypt")
        self.encrypted, self.key, self.sink = encrypted, key, sink
        self.error: BaseException | None = None
        self.stats = crypto.StreamStats()

    def run(self) -> None:
        import hashlib

        digest = hashlib.sha256()
        try:
            with self.encrypted.open("rb") as source:
                for chunk in crypto.decrypt_chunks(source, key=self.key):
                    digest.update(chunk)
                    self.stats.plain_size += len(chunk)
                    self.sink.write(chunk)
            self.stats.plain_sha256 = digest.hexdigest()
        except BaseException as exc:
            self.error = exc
        finally:
            with contextlib.suppress(OSError):
                self.sink.close()


def restore_encrypted(
    *,
    encrypted: Path,
    key: bytes,
    source_schema: str,
    target_schema: str,
    server_version_num: int,
    keep: set[str],
) -> crypto.StreamStats:
    """Restore an encrypted dump of `source_schema` as a new schema `target_schema`, atomically."""
    tools = pgtools.pg_tools(server_version_num=server_version_num)
    renamer = SchemaRenamer(source_schema, validate_schema_name(target_schema), keep=keep)
    env = pgtools.libpq_env()
    with (
        _stderr_file() as (restore_err, restore_err_path),
        _stderr_file() as (psql_err, psql_err_path),
    ):
        psql = subprocess.Popen(
            [
                tools.psql,
                "--no-psqlrc",
                "--quiet",
                "--single-transaction",
                "--set=ON_ERROR_STOP=1",
                "--file=-",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=psql_err,
            env=env,
        )
        pg_restore = subprocess.Popen(
            [tools.pg_restore, "--format=custom", "--no-owner", "--no-privileges", "--file=-"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=restore_err,
            env=env,
        )
        assert psql.stdin is not None
        assert pg_restore.stdin is not None
        assert pg_restore.stdout is not None
        feeder = _Feeder(encrypted, key, pg_restore.stdin)
        feeder.start()
        problem: BaseException | None = None
        try:
            for raw in pg_restore.stdout:
                psql.stdin.write(renamer.line(raw))
        except BrokenPipeError:
            problem = RestoreError(f"psql stopped early: {_tail(psql_err_path)}")
        except (UnicodeDecodeError, OSError) as exc:
            problem = RestoreError(f"restore stream failed: {exc}")
        finally:
            pg_restore.stdout.close()
            restore_code = pg_restore.wait()
            feeder.join()
        problem = problem or feeder.error
        if problem is None and restore_code != 0:
            problem = RestoreError(f"pg_restore failed: {_tail(restore_err_path)}")
        if problem is not None:
            # Killed before end of input: psql never sends COMMIT, the server rolls back.
            psql.kill()
            psql.wait()
            if isinstance(problem, BackupError):
                raise problem
            raise RestoreError(f"restore failed: {problem}") from problem
        with contextlib.suppress(BrokenPipeError):
            psql.stdin.close()
        if psql.wait() != 0:
            raise RestoreError(
                f"restoring into {target_schema} failed and was rolled back: {_tail(psql_err_path)}"
            )
    return feeder.stats
