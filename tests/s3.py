"""Pytest plugin (registered in tests/conftest.py): ``s3_server``, a real S3-compatible server.

SeaweedFS (``weed server`` with its S3 gateway, built by deploy/s3/fetch.sh if missing) on free
127.0.0.1 ports with a temp data dir, started once per session and stopped at the end; never
skipped. ``s3_bucket`` gives each test a fresh empty bucket on it (``new_bucket`` for other
scopes); ``blob_settings`` the service settings that point a blob store at one.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import BotoCoreError, ClientError
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
        warm_up(client_for(server))
        yield server
    finally:
        server.stop(grace=3)
        shutil.rmtree(work, ignore_errors=True)


def client_for(server: S3Server) -> S3Client:
    return s3_client(server.endpoint, "us-east-1", (server.access_key, server.secret_key), True)


def create_bucket(client: S3Client, name: str, timeout: float = 30.0) -> None:
    """Retried: the gateway answers before its filer and volume server are ready."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            client.create_bucket(Bucket=name)
            return
        except (ClientError, BotoCoreError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def warm_up(client: S3Client) -> None:
    """The first write after start waits for the master to take the volume server in (~8 s
    here); paid once per session, not by whichever test writes first."""
    create_bucket(client, "warm-up")
    client.put_object(Bucket="warm-up", Key="warm-up", Body=b"")


def new_bucket(server: S3Server) -> str:
    name = "t-" + uuid.uuid4().hex[:20]
    create_bucket(client_for(server), name)
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
