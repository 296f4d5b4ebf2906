from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from shared_apps.backups.errors import BackupConfigError, BackupIntegrityError, StorageError
from shared_apps.backups.storage import FileStorage, S3Storage, storage_for
from tests.shared_apps.backups.conftest import S3Target
from tests.shared_apps.backups.s3_servers import FaultyProxy, SeenRequest, free_port

MB = 1024 * 1024


def _file(tmp_path: Path, size: int) -> tuple[Path, str]:
    path = tmp_path / "object.bin"
    data = os.urandom(size)
    path.write_bytes(data)
    return path, hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("file:///var/backups/dysa", FileStorage),
        ("s3://bucket/some/prefix", S3Storage),
        ("s3://bucket", S3Storage),
    ],
)
def test_backup_url_picks_the_storage(url: str, kind: type) -> None:
    assert isinstance(storage_for(url), kind)


@pytest.mark.parametrize("url", ["ftp://x/y", "file://relative/path", "s3:///prefix", "/plain"])
def test_bad_backup_url_is_a_clear_config_error(url: str) -> None:
    with pytest.raises(BackupConfigError, match=r"s3://|file://"):
        storage_for(url)


def test_file_storage_publishes_whole_objects_only(tmp_path: Path) -> None:
    storage = storage_for(f"file://{tmp_path}/store")
    path, digest = _file(tmp_path, 3000)

    storage.put_file("t_x/a.dump.enc", path, sha256=digest)
    storage.put_bytes("t_x/a.manifest.json", b"{}")

    assert [obj.key for obj in storage.list("t_x")] == ["t_x/a.dump.enc", "t_x/a.manifest.json"]
    assert storage.size("t_x/a.dump.enc") == 3000
    assert not list((tmp_path / "store").rglob(".partial-*"))
    storage.delete("t_x/a.dump.enc")
    assert storage.size("t_x/a.dump.enc") is None
    with pytest.raises(BackupIntegrityError, match="missing"):
        storage.get_bytes("t_x/a.dump.enc")


def test_file_storage_refuses_keys_outside_its_folder(tmp_path: Path) -> None:
    with pytest.raises(BackupConfigError, match="escapes"):
        storage_for(f"file://{tmp_path}").put_bytes("../elsewhere", b"x")


def test_s3_multipart_upload_round_trips_with_checksums(
    s3_target: S3Target, tmp_path: Path
) -> None:
    path, digest = _file(tmp_path, 20 * MB)  # over the 16 MB part size: two parts
    storage = storage_for(s3_target.url)

    storage.put_file("t_x/big.dump.enc", path, sha256=digest)

    head = s3_target.client.head_object(
        Bucket=s3_target.bucket, Key="nightly/t_x/big.dump.enc", ChecksumMode="ENABLED"
    )
    assert head["ContentLength"] == 20 * MB
    assert head["Metadata"]["sha256"] == digest
    assert head["ChecksumSHA256"]  # per-part SHA-256, checked by the server
    assert head["ServerSideEncryption"] == "AES256"
    fetched = tmp_path / "fetched.bin"
    storage.download("t_x/big.dump.enc", fetched)
    assert hashlib.sha256(fetched.read_bytes()).hexdigest() == digest


def test_s3_failing_mid_multipart_upload_leaves_no_object_and_no_parts(
    faulty_s3: FaultyProxy, s3_target: S3Target, tmp_path: Path
) -> None:
    path, digest = _file(tmp_path, 20 * MB)
    # Every attempt at the second part dies mid-body, so boto3's own retries fail too.
    faulty_s3.rule = lambda req, _n: (
        "drop" if req.is_upload_part and "partNumber=2" in req.path else None
    )

    with pytest.raises(StorageError, match="S3 upload failed"):
        storage_for(s3_target.url).put_file("t_x/big.dump.enc", path, sha256=digest)

    assert faulty_s3.faults >= 1
    assert s3_target.object_keys() == []
    uploads = s3_target.client.list_multipart_uploads(Bucket=s3_target.bucket)
    assert uploads.get("Uploads", []) == []


def test_s3_unreachable_is_a_storage_error(
    s3_target: S3Target, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://127.0.0.1:{free_port()}")
    path, digest = _file(tmp_path, 100)

    with pytest.raises(StorageError, match="S3 upload failed"):
        storage_for(s3_target.url).put_file("t_x/a", path, sha256=digest)


def test_bucket_refusing_server_side_encryption_still_gets_the_object(
    faulty_s3: FaultyProxy, s3_target: S3Target, tmp_path: Path
) -> None:
    def refuse_sse(request: SeenRequest, _n: int) -> int | None:
        return 501 if "x-amz-server-side-encryption" in request.headers else None

    faulty_s3.rule = refuse_sse
    path, digest = _file(tmp_path, 100)

    storage_for(s3_target.url).put_file("t_x/a", path, sha256=digest)

    assert s3_target.object_keys() == ["nightly/t_x/a"]
