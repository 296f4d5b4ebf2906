"""Streaming dump and restore of schemas, encrypted end to end.

Dump (a batch of schemas, one snapshot):
    pg_dump -Fc --snapshot=S -n A -n B ...  ->  encrypt (throwaway key)  ->  batch file
    (each schema's fingerprint is computed in the transaction that exported S)
then for each schema:
    batch file -> decrypt -> pg_restore -n A -f -  ->  gzip  ->  encrypt (A's key)  ->  A's file
Restore:
    A's file -> decrypt -> gunzip -> rename schema -> psql --single-transaction

Why batches: pg_dump reads the whole database catalogue when it starts, whatever it dumps; with a
thousand schemas that is seconds per run. One pg_dump per batch pays it once. What is stored per
schema is pg_restore's SQL script for that schema (ADR 0006), so restoring needs only psql.

No plaintext dump ever touches the disk. A restore lands under another schema name by rewriting
schema-qualified names in the SQL (COPY data lines pass untouched), and it commits only when every
step succeeded, the script's SHA-256 included: on any failure psql is killed before it reads the
end of its input, so the server rolls the whole transaction back and nothing is left behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import subprocess
import tempfile
import threading
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import psycopg

from shared_apps.backups import crypto
from shared_apps.backups.errors import (
    BackupConfigError,
    BackupError,
    BackupIntegrityError,
    DumpError,
    RestoreError,
)
from shared_apps.backups.manifest import schema_fingerprint
from tenants import pgtools, schema_sql

LOCK_WAIT_TIMEOUT = "60s"
GZIP_LEVEL = 6
_GZIP_WBITS = 31  # zlib's gzip container
_STDERR_TAIL = 2000
_READ_BLOCK = 256 * 1024


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


@dataclass
class BatchDump:
    """One pg_dump of several schemas, kept encrypted under a throwaway key until split."""

    path: Path
    key: bytes
    server_version: str
    server_version_num: int
    pg_dump_version: str
    fingerprints: dict[str, dict[str, Any]] = field(default_factory=dict)
    missing: set[str] = field(default_factory=set)


def _pg_tools(server_version_num: int) -> pgtools.PgTools:
    """The checked client tools; missing or mismatched ones are a configuration error."""
    try:
        return pgtools.pg_tools(server_version_num=server_version_num)
    except pgtools.PgToolsError as exc:
        raise BackupConfigError(str(exc)) from exc


def dump_batch(*, schema_names: list[str], folder: Path) -> BatchDump:
    """pg_dump the existing schemas among `schema_names` in one snapshot, with fingerprints."""
    with pgtools.connect() as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        version_num = pgtools.server_version_num(conn)
        tools = _pg_tools(version_num)
        row = conn.execute(
            "SELECT pg_export_snapshot(), current_setting('server_version')"
        ).fetchone()
        assert row is not None
        snapshot, server_version = str(row[0]), str(row[1])
        existing = schema_sql.schemas_existing(schema_names, conn=conn)
        present = [name for name in schema_names if name in existing]
        batch = BatchDump(
            path=folder / "batch.enc",
            key=os.urandom(crypto.KEY_BYTES),
            server_version=server_version,
            server_version_num=version_num,
            pg_dump_version=tools.version,
            missing=set(schema_names) - set(present),
        )
        if not present:
            return batch
        failure: list[BaseException] = []

        def compute() -> None:
            try:
                for name in present:
                    batch.fingerprints[name] = schema_fingerprint(conn, name)
            except BaseException as exc:
                failure.append(exc)

        command = [
            tools.pg_dump,
            "--format=custom",
            "--strict-names",
            f"--snapshot={snapshot}",
            f"--lock-wait-timeout={LOCK_WAIT_TIMEOUT}",
            "--no-sync",
            *(f"--schema={name}" for name in present),
        ]
        env = pgtools.pg_dump_env()
        with _stderr_file() as (stderr, stderr_path), batch.path.open("wb") as target:
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, env=env)
            worker = threading.Thread(target=compute, name="backup-fingerprints")
            worker.start()
            try:
                assert process.stdout is not None
                crypto.encrypt_stream(process.stdout, target, key=batch.key)
            finally:
                returncode = process.wait()
                worker.join()
            if returncode != 0:
                raise DumpError(f"pg_dump failed: {_tail(stderr_path)}")
        if failure:
            raise DumpError(f"fingerprinting failed: {failure[0]}") from failure[0]
        conn.rollback()
    return batch


class _Feeder(threading.Thread):
    """Decrypts an encrypted file into a process's stdin."""

    def __init__(self, encrypted: Path, key: bytes, sink: IO[bytes]) -> None:
        super().__init__(name="backup-decrypt")
        self.encrypted, self.key, self.sink = encrypted, key, sink
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with self.encrypted.open("rb") as source:
                for chunk in crypto.decrypt_chunks(source, key=self.key):
                    self.sink.write(chunk)
        except BrokenPipeError:
            pass  # the reader stopped early; its exit status tells why
        except BaseException as exc:
            self.error = exc
        finally:
            with contextlib.suppress(OSError):
                self.sink.close()


def _is_statement(line: bytes) -> bool:
    """A line of SQL proper: not blank, not a comment, not a psql meta-command, not a SET."""
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith(
        (b"--", b"\\", b"SET ", b"SELECT pg_catalog.set_config(")
    )


class _ScriptReader:
    """File-like: pg_restore's SQL for one schema, CREATE SCHEMA added, gzip-compressed.

    `pg_restore -n` leaves out the schema itself; the stored script creates it, so it is a
    complete script that psql can run. Hashes the uncompressed script on the way.
    """

    def __init__(self, lines: IO[bytes], schema_name: str) -> None:
        self.lines = lines
        self.create = f"CREATE SCHEMA {schema_name};\n\n".encode()
        self.compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, _GZIP_WBITS)
        self.digest = hashlib.sha256()
        self.size = 0
        self.buffer = bytearray()
        self.done = False

    def _emit(self, data: bytes) -> None:
        self.digest.update(data)
        self.size += len(data)
        self.buffer += self.compressor.compress(data)

    def read(self, size: int = -1) -> bytes:
        while not self.done and (size < 0 or len(self.buffer) < size):
            line = self.lines.readline()
            if not line:
                if self.create:
                    self._emit(self.create)
                self.buffer += self.compressor.flush()
                self.done = True
                break
            if self.create and _is_statement(line):
                self._emit(self.create)
                self.create = b""
            self._emit(line)
        if size < 0:
            size = len(self.buffer)
        data = bytes(self.buffer[:size])
        del self.buffer[:size]
        return data


@dataclass(frozen=True)
class ScriptStats:
    sql_size: int
    sql_sha256: str
    encrypted_size: int
    encrypted_sha256: str


def extract_schema(
    *,
    batch: BatchDump,
    schema_name: str,
    key: bytes,
    target: IO[bytes],
    on_chunk: Callable[[int], None] | None = None,
) -> ScriptStats:
    """Write `schema_name`'s part of a batch as gzip-compressed SQL encrypted with `key`."""
    tools = _pg_tools(batch.server_version_num)
    with _stderr_file() as (stderr, stderr_path):
        process = subprocess.Popen(
            [
                tools.pg_restore,
                "--format=custom",
                f"--schema={schema_name}",
                "--no-owner",
                "--no-privileges",
                "--file=-",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
        )
        assert process.stdin is not None
        assert process.stdout is not None
        feeder = _Feeder(batch.path, batch.key, process.stdin)
        feeder.start()
        script = _ScriptReader(process.stdout, schema_name)
        try:
            stats = crypto.encrypt_stream(script, target, key=key, on_chunk=on_chunk)
        finally:
            process.stdout.close()
            returncode = process.wait()
            feeder.join()
        if feeder.error is not None:
            raise DumpError(f"reading the batch dump failed: {feeder.error}")
        if returncode != 0:
            raise DumpError(f"pg_restore of {schema_name} failed: {_tail(stderr_path)}")
    return ScriptStats(
        sql_size=script.size,
        sql_sha256=script.digest.hexdigest(),
        encrypted_size=stats.encrypted_size,
        encrypted_sha256=stats.encrypted_sha256,
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


def _script_lines(encrypted: Path, key: bytes) -> Iterator[bytes]:
    """The stored script, decrypted and decompressed, line by line."""
    decompressor = zlib.decompressobj(_GZIP_WBITS)
    pending = b""
    with encrypted.open("rb") as source:
        for chunk in crypto.decrypt_chunks(source, key=key):
            try:
                pending += decompressor.decompress(chunk)
            except zlib.error as exc:
                raise BackupIntegrityError(f"backup script is corrupted: {exc}") from None
            *lines, pending = pending.split(b"\n")
            for line in lines:
                yield line + b"\n"
    pending += decompressor.flush()
    if not decompressor.eof:
        raise BackupIntegrityError("backup script is truncated (compressed stream incomplete)")
    if pending:
        yield pending


def restore_encrypted(
    *,
    encrypted: Path,
    key: bytes,
    source_schema: str,
    target_schema: str,
    server_version_num: int,
    keep: set[str],
    sql_sha256: str,
) -> int:
    """Run a stored script of `source_schema` as new schema `target_schema`, all or nothing.

    Returns the script's size. The transaction commits only if the script's SHA-256 equals
    `sql_sha256` (from the signed manifest).
    """
    tools = _pg_tools(server_version_num)
    renamer = SchemaRenamer(source_schema, validate_schema_name(target_schema), keep=keep)
    digest, size = hashlib.sha256(), 0
    with _stderr_file() as (psql_err, psql_err_path):
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
            env=pgtools.libpq_env(),
        )
        assert psql.stdin is not None
        problem: BaseException | None = None
        try:
            for line in _script_lines(encrypted, key):
                digest.update(line)
                size += len(line)
                psql.stdin.write(renamer.line(line))
            if digest.hexdigest() != sql_sha256:
                problem = BackupIntegrityError(
                    "backup script does not match the manifest's SHA-256"
                )
        except BrokenPipeError:
            psql.wait()
            problem = RestoreError(f"restoring into {target_schema} failed: {_tail(psql_err_path)}")
        except (BackupError, UnicodeDecodeError, OSError) as exc:
            problem = exc
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
    return size
