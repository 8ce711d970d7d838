"""Pytest plugin (registered in tests/conftest.py): ``s3_server``, a real S3-compatible server.

S3Proxy (its jar downloaded by deploy/s3/fetch.sh if missing) on a free 127.0.0.1 port with
its filesystem backend in a temp dir, started once per session and stopped at the end; never
skipped. ``s3_bucket`` gives each test a fresh empty bucket on it (``new_bucket`` for other
scopes); ``blob_settings`` the service settings that point a blob store at one.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from pydantic import SecretStr

from hotline.blobs.s3 import s3_client
from hotline_tools.devstack.s3 import S3Server

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    work = Path(tempfile.mkdtemp(prefix="hotline-s3-"))
    server = S3Server(work)
    server.start()
    try:
        yield server
    finally:
        server.stop(grace=3)
        shutil.rmtree(work, ignore_errors=True)


def client_for(server: S3Server) -> S3Client:
    return s3_client(server.endpoint, "us-east-1", (server.access_key, server.secret_key), True)


def new_bucket(server: S3Server) -> str:
    name = "t-" + uuid.uuid4().hex[:20]
    client_for(server).create_bucket(Bucket=name)
    return name


def blob_settings(server: S3Server, bucket: str) -> dict[str, Any]:
    """The ``HOTLINE_BLOB_*`` settings of a service that keeps its blobs in ``bucket``."""
    return {
        "blob_store": "s3",
        "blob_s3_endpoint_url": server.endpoint,
        "blob_s3_bucket": bucket,
        "blob_s3_access_key_id": SecretStr(server.access_key),
        "blob_s3_secret_access_key": SecretStr(server.secret_key),
    }


@pytest.fixture
def s3_bucket(s3_server: S3Server) -> str:
    return new_bucket(s3_server)
