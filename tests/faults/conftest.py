"""The backup tests' S3 fixtures (moto over HTTP, the proxy that fails on cue, a restaurant full
of data), for the S3 fault test here."""

from tests.shared_apps.backups.conftest import (  # noqa: F401 (fixtures)
    backup_tenant,
    faulty_s3,
    moto_port,
    s3_target,
)
