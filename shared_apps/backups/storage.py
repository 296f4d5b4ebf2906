"""Where backups go: `s3://bucket/prefix` (any S3 API) or `file:///path` (the embedded default).

Both targets publish an object only once it is complete: S3 makes a multipart upload visible at
CompleteMultipartUpload (boto3 aborts it on failure), the file target writes a temporary name
and renames it. So a failed upload never leaves a partial object under the final key.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol
from urllib.parse import unquote, urlparse

from shared_apps.backups.errors import BackupConfigError, BackupIntegrityError, StorageError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

logger = logging.getLogger(__name__)

MULTIPART_CHUNK_BYTES = 16 * 1024 * 1024
_HASH_BLOCK = 1024 * 1024


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int


class BackupStorage(Protocol):
    url: str

    def put_file(
        self, key: str, path: Path, *, sha256: str, progress: Callable[[int], None] | None = None
    ) -> None: ...

    def put_bytes(self, key: str, data: bytes) -> None: ...

    def get_bytes(self, key: str) -> bytes: ...

    def download(self, key: str, path: Path) -> None: ...

    def size(self, key: str) -> int | None: ...

    def delete(self, key: str) -> None: ...

    def list(self, prefix: str) -> list[StoredObject]: ...


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def _join(prefix: str, key: str) -> str:
    return f"{prefix}/{key}" if prefix else key


# --- file:// --------------------------------------------------------------------------------


class FileStorage:
    def __init__(self, url: str, root: Path) -> None:
        self.url = url
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise BackupConfigError(f"storage key escapes the backup folder: {key}")
        return path

    @contextlib.contextmanager
    def _atomic_target(self, key: str) -> Iterator[IO[bytes]]:
        final = self._path(key)
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            fd, temp_name = tempfile.mkstemp(prefix=".partial-", dir=final.parent)
        except OSError as exc:
            raise StorageError(f"cannot write to {self.url}: {exc.strerror or exc}") from exc
        try:
            with os.fdopen(fd, "wb") as handle:
                yield handle
                handle.flush()
                os.fsync(handle.fileno())
            Path(temp_name).replace(final)
        except OSError as exc:
            Path(temp_name).unlink(missing_ok=True)
            raise StorageError(f"cannot write {key} to {self.url}: {exc.strerror or exc}") from exc
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise

    def put_file(
        self, key: str, path: Path, *, sha256: str, progress: Callable[[int], None] | None = None
    ) -> None:
        with self._atomic_target(key) as handle, path.open("rb") as source:
            shutil.copyfileobj(source, handle, _HASH_BLOCK)
        if progress is not None:
            progress(path.stat().st_size)

    def put_bytes(self, key: str, data: bytes) -> None:
        with self._atomic_target(key) as handle:
            handle.write(data)

    @contextlib.contextmanager
    def _reading(self, key: str) -> Iterator[None]:
        try:
            yield
        except FileNotFoundError:
            raise BackupIntegrityError(f"backup object {key} is missing from {self.url}") from None
        except OSError as exc:
            raise StorageError(f"cannot read {key} from {self.url}: {exc}") from exc

    def get_bytes(self, key: str) -> bytes:
        with self._reading(key):
            return self._path(key).read_bytes()

    def download(self, key: str, path: Path) -> None:
        with self._reading(key):
            shutil.copyfile(self._path(key), path)

    def size(self, key: str) -> int | None:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            return None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def list(self, prefix: str) -> list[StoredObject]:
        base = self._path(prefix) if prefix else self.root
        if not base.is_dir():
            return []
        return sorted(
            (
                StoredObject(key=str(p.relative_to(self.root)), size=p.stat().st_size)
                for p in base.rglob("*")
                if p.is_file() and not p.name.startswith(".partial-")
            ),
            key=lambda obj: obj.key,
        )


# --- s3:// ----------------------------------------------------------------------------------

# Answers meaning "this bucket does not do server-side encryption" (MinIO without KMS, some
# S3-compatible stores): we upload again without asking for it; the data is encrypted anyway.
_SSE_UNSUPPORTED = {
    "NotImplemented",
    "InvalidRequest",
    "InvalidArgument",
    "KMS.NotConfigured",
    "InvalidEncryptionAlgorithmError",
}


@cache
def _s3_client(endpoint_url: str | None) -> S3Client:
    """One client per endpoint and process (boto3 clients are thread-safe)."""
    import boto3
    from botocore.config import Config

    config = Config(
        retries={"max_attempts": 3, "mode": "standard"},
        connect_timeout=5,
        read_timeout=60,
        # Path-style URLs work with every S3 API (MinIO, moto, IP endpoints); AWS accepts them.
        s3={"addressing_style": "path"} if endpoint_url else None,
    )
    return boto3.session.Session().client("s3", endpoint_url=endpoint_url, config=config)


def _error_code(exc: BaseException) -> str:
    """The S3 error code of a ClientError, also when boto3 wrapped it (S3UploadFailedError)."""
    from botocore.exceptions import ClientError

    for candidate in (exc, exc.__cause__, exc.__context__):
        if isinstance(candidate, ClientError):
            return str(candidate.response.get("Error", {}).get("Code", ""))
    return ""


def _storage_error(action: str, url: str, exc: Exception) -> StorageError:
    return StorageError(f"S3 {action} failed for {url}: {type(exc).__name__}: {exc}")


class S3Storage:
    def __init__(self, url: str, bucket: str, prefix: str, *, sse: str) -> None:
        self.url = url
        self.bucket = bucket
        self.prefix = prefix
        self.sse = sse

    @property
    def client(self) -> S3Client:
        # boto3's own variable; read per call so a changed environment takes effect.
        return _s3_client(os.environ.get("AWS_ENDPOINT_URL_S3") or None)

    def _key(self, key: str) -> str:
        return _join(self.prefix, key)

    @contextlib.contextmanager
    def _errors(self, action: str, key: str) -> Iterator[None]:
        """Translate boto3's many exception types into StorageError / a missing object."""
        try:
            yield
        except BackupIntegrityError:
            raise
        except Exception as exc:
            if _error_code(exc) in {"NoSuchKey", "404", "NotFound"}:
                raise BackupIntegrityError(
                    f"backup object {key} is missing from {self.url}"
                ) from None
            raise _storage_error(action, self.url, exc) from exc

    def _with_sse(self, upload: Callable[[dict[str, Any]], None], extra: dict[str, Any]) -> None:
        """Upload asking for server-side encryption; without it if the bucket refuses."""
        if not self.sse:
            upload(extra)
            return
        try:
            upload({**extra, "ServerSideEncryption": self.sse})
        except Exception as exc:
            if _error_code(exc) not in _SSE_UNSUPPORTED:
                raise
            logger.warning(
                "bucket %s refused server-side encryption; uploading without", self.bucket
            )
            upload(extra)

    def put_file(
        self, key: str, path: Path, *, sha256: str, progress: Callable[[int], None] | None = None
    ) -> None:
        from boto3.s3.transfer import TransferConfig

        transfer = TransferConfig(
            multipart_threshold=MULTIPART_CHUNK_BYTES,
            multipart_chunksize=MULTIPART_CHUNK_BYTES,
            max_concurrency=4,
        )

        def upload(extra: dict[str, Any]) -> None:
            self.client.upload_file(
                str(path),
                self.bucket,
                self._key(key),
                ExtraArgs=extra,
                Config=transfer,
                Callback=progress,
            )

        # Each part carries a SHA-256 the server checks; the whole file's digest goes in the
        # metadata so anyone can re-check an object against its manifest.
        with self._errors("upload", key):
            self._with_sse(upload, {"ChecksumAlgorithm": "SHA256", "Metadata": {"sha256": sha256}})
        stored = self.size(key)
        if stored != path.stat().st_size:
            raise StorageError(f"S3 upload of {key} is incomplete ({stored} bytes stored)")

    def put_bytes(self, key: str, data: bytes) -> None:
        def upload(extra: dict[str, Any]) -> None:
            self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data, **extra)

        with self._errors("upload", key):
            self._with_sse(upload, {"ChecksumAlgorithm": "SHA256"})

    def get_bytes(self, key: str) -> bytes:
        with self._errors("download", key):
            response = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
            return response["Body"].read()

    def download(self, key: str, path: Path) -> None:
        with self._errors("download", key):
            self.client.download_file(self.bucket, self._key(key), str(path))

    def size(self, key: str) -> int | None:
        try:
            with self._errors("head", key):
                head = self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except BackupIntegrityError:
            return None
        return int(head["ContentLength"])

    def delete(self, key: str) -> None:
        with self._errors("delete", key):
            self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def list(self, prefix: str) -> list[StoredObject]:
        found: list[StoredObject] = []
        strip = len(self.prefix) + 1 if self.prefix else 0
        with self._errors("list", prefix):
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=self._key(prefix)
            )
            for page in pages:
                found.extend(
                    StoredObject(key=item["Key"][strip:], size=int(item["Size"]))
                    for item in page.get("Contents", [])
                )
        return found


def storage_for(url: str) -> BackupStorage:
    """The storage behind a DYSA_BACKUP_URL-style URL."""
    from django.conf import settings

    parsed = urlparse(url)
    if parsed.scheme == "file":
        if parsed.netloc not in ("", "localhost") or not parsed.path.startswith("/"):
            raise BackupConfigError(f"file backup URL must be file:///absolute/path, got {url}")
        return FileStorage(url, Path(unquote(parsed.path)))
    if parsed.scheme == "s3":
        if not parsed.netloc:
            raise BackupConfigError(f"S3 backup URL must be s3://bucket/prefix, got {url}")
        return S3Storage(
            url, parsed.netloc, parsed.path.strip("/"), sse=settings.DYSA_BACKUP_S3_SSE
        )
    raise BackupConfigError(
        f"DYSA_BACKUP_URL must start with s3:// or file://, got {parsed.scheme or url!r}"
    )


def configured_storage() -> BackupStorage:
    from django.conf import settings

    return storage_for(settings.DYSA_BACKUP_URL)
