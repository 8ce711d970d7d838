"""Blobs in an S3-compatible bucket (AWS S3, Ceph RGW, MinIO, S3Proxy, ...), through boto3.

Key = ``<prefix>sha256/<hex>``: the ref without its ``blob:`` scheme, so a bucket listing reads
like the refs in the events. Content addressing makes a put idempotent: a blob already there
is not uploaded again (one HEAD), and two writers of the same bytes write the same object.
Streams are spooled to a temp file while hashed (the key is the hash), then uploaded from it
by boto3's transfer manager, in parts past ``PART_BYTES``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

from hotline.blobs.refs import BlobNotFound, blob_ref, digest_of
from hotline.blobs.store import CHUNK, spool

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

PART_BYTES = 8 * 1024 * 1024
MISSING = frozenset({"404", "NoSuchKey", "NotFound"})


def s3_client(
    endpoint_url: str | None,
    region: str,
    credentials: tuple[str, str] | None,
    path_style: bool,
) -> S3Client:
    """A thread-safe client; ``credentials`` None = boto3's own chain (env, profile, role)."""
    config = Config(
        region_name=region,
        s3={"addressing_style": "path" if path_style else "auto"},
        retries={"max_attempts": 4, "mode": "standard"},
        connect_timeout=5,
        read_timeout=60,
        max_pool_connections=16,
    )
    key, secret = credentials or (None, None)
    return boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint_url,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=config,
    )


def _missing(exc: ClientError) -> bool:
    return str(exc.response.get("Error", {}).get("Code")) in MISSING


class S3BlobStore:
    def __init__(self, client: S3Client, bucket: str, prefix: str = "") -> None:
        self.client, self.bucket, self.prefix = client, bucket, prefix
        self.transfer = TransferConfig(  # at most two parts in memory at once
            multipart_threshold=PART_BYTES, multipart_chunksize=PART_BYTES, max_concurrency=2
        )

    def key(self, ref: str) -> str:
        return f"{self.prefix}sha256/{digest_of(ref)}"

    def put(self, data: bytes) -> str:
        ref = blob_ref(data)
        if not self.exists(ref):
            self.client.put_object(Bucket=self.bucket, Key=self.key(ref), Body=data)
        return ref

    def put_stream(self, chunks: Iterable[bytes]) -> str:
        """Uploaded from a named temp file: boto3 then reads each part from disk as it sends
        it (from a file object it would buffer whole parts per thread)."""
        with tempfile.NamedTemporaryFile(prefix="hotline-blob-") as fh:
            ref = spool(chunks, fh)
            fh.flush()
            if not self.exists(ref):
                self.client.upload_file(fh.name, self.bucket, self.key(ref), Config=self.transfer)
        return ref

    def _object(self, ref: str) -> Any:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self.key(ref))
        except ClientError as exc:
            if _missing(exc):
                raise BlobNotFound(ref) from exc
            raise

    def get(self, ref: str) -> bytes:
        body = self._object(ref)["Body"]
        with body:
            data: bytes = body.read()
        return data

    def chunks(self, ref: str, size: int = CHUNK) -> Iterator[bytes]:
        """Asks for the object now (a missing blob raises here), reads it as iterated."""
        return _body_chunks(self._object(ref)["Body"], size)

    def _head(self, ref: str) -> Any:
        return self.client.head_object(Bucket=self.bucket, Key=self.key(ref))

    def exists(self, ref: str) -> bool:
        try:
            self._head(ref)
        except ClientError as exc:
            if _missing(exc):
                return False
            raise
        return True

    def size(self, ref: str) -> int:
        try:
            return int(self._head(ref)["ContentLength"])
        except ClientError as exc:
            if _missing(exc):
                raise BlobNotFound(ref) from exc
            raise

    def delete(self, ref: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.key(ref))


def _body_chunks(body: Any, size: int) -> Iterator[bytes]:
    with body:
        yield from body.iter_chunks(size)
