"""Fixtures for backup tests: moto's S3 server over HTTP, a faulty proxy, a tenant full of data."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.config import Config
from moto.server import ThreadedMotoServer

from tests.shared_apps.backups.factories import drop_schemas_like, fill_backup_probe
from tests.shared_apps.backups.s3_servers import FaultyProxy, free_port
from tests.tenants.factories import TenantHandle, ensure_test_restaurant

BACKUP_TENANT_SLUG = "backuptest"


@pytest.fixture(scope="session")
def moto_port() -> Iterator[int]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield port
    server.stop()


@dataclass(frozen=True)
class S3Target:
    bucket: str
    prefix: str
    client: Any

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def object_keys(self) -> list[str]:
        listed = self.client.list_objects_v2(Bucket=self.bucket)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    def get(self, key: str) -> bytes:
        return bytes(
            self.client.get_object(Bucket=self.bucket, Key=f"{self.prefix}/{key}")["Body"].read()
        )

    def put(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=f"{self.prefix}/{key}", Body=data)


@pytest.fixture
def s3_target(moto_port: int, monkeypatch: pytest.MonkeyPatch, settings: Any) -> S3Target:
    """A fresh bucket on the moto server, set as DYSA_BACKUP_URL."""
    endpoint = f"http://127.0.0.1:{moto_port}"
    for name, value in {
        "AWS_ENDPOINT_URL_S3": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    client = boto3.client(
        "s3", endpoint_url=endpoint, config=Config(s3={"addressing_style": "path"})
    )
    bucket = f"dysa-backups-{uuid.uuid4().hex[:10]}"
    client.create_bucket(Bucket=bucket)
    target = S3Target(bucket=bucket, prefix="nightly", client=client)
    settings.DYSA_BACKUP_URL = target.url
    return target


@pytest.fixture
def faulty_s3(
    s3_target: S3Target, moto_port: int, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FaultyProxy]:
    """Route the app's S3 traffic through a proxy the test can make fail."""
    proxy = FaultyProxy(upstream_port=moto_port).start()
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", proxy.url)
    yield proxy
    proxy.stop()


@pytest.fixture
def backup_tenant(transactional_db: None) -> Iterator[TenantHandle]:
    """A restaurant of its own, holding every kind of data; restored copies are dropped after."""
    handle = ensure_test_restaurant(BACKUP_TENANT_SLUG, name="Café Ñandú 🍕", locale="es")
    fill_backup_probe(handle.schema_name)
    yield handle
    drop_schemas_like(f"{handle.schema_name}\\_%")
    drop_schemas_like("bk\\_verify\\_%")
