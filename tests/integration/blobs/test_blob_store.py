"""The blob store contract, run on every backend: the directory store and the S3 store against
a real S3 server, S3Proxy (``s3_server``, tests/s3.py). The same tests, the same refs."""

from __future__ import annotations

import asyncio
import hashlib
import os
import tracemalloc
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from pydantic import SecretStr

from hotline.blobs import (
    PREFIX,
    BlobNotFound,
    BlobSettings,
    BlobStore,
    FileBlobStore,
    blob_ref,
    open_blob_store,
)
from hotline.blobs.s3 import S3BlobStore, s3_client
from hotline_tools.devstack.s3 import S3Server
from tests.s3 import blob_settings, client_for

MB = 1024 * 1024
BACKENDS = ["file", "s3"]


def s3_settings(server: S3Server, bucket: str, secret: str | None = None) -> BlobSettings:
    settings = BlobSettings(**blob_settings(server, bucket))
    if secret:
        settings.blob_s3_secret_access_key = SecretStr(secret)
    return settings


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    """Built by the factory the services use, from the settings they read."""
    if request.param == "file":
        return open_blob_store(BlobSettings(), tmp_path / "blobs")
    server = request.getfixturevalue("s3_server")
    bucket = request.getfixturevalue("s3_bucket")
    return open_blob_store(s3_settings(server, bucket), None)


def pseudo_random(n: int, seed: bytes) -> bytes:
    """Incompressible, reproducible bytes (an extendable-output hash), so nothing can dedupe
    by accident."""
    return hashlib.shake_128(seed).digest(n)


def test_round_trip(store: BlobStore) -> None:
    data = pseudo_random(70_000, b"round trip")
    ref = store.put(data)
    assert ref == PREFIX + hashlib.sha256(data).hexdigest()
    assert store.exists(ref)
    assert store.get(ref) == data
    assert store.size(ref) == len(data)
    assert b"".join(store.chunks(ref, 4096)) == data
    store.delete(ref)
    assert not store.exists(ref)


def test_empty_blob(store: BlobStore) -> None:
    ref = store.put(b"")
    assert store.get(ref) == b"" and store.size(ref) == 0 and list(store.chunks(ref)) == []


def test_put_of_the_same_content_is_idempotent(store: BlobStore) -> None:
    data = pseudo_random(10_000, b"twice")
    first, second = store.put(data), store.put(data)
    third = store.put_stream(iter([data[:3000], data[3000:]]))
    assert first == second == third == blob_ref(data)
    assert store.get(first) == data and store.size(first) == len(data)
    store.delete(first)  # one object: a single delete removes what three puts wrote
    assert not store.exists(first)


def test_missing_blob_is_blob_not_found_everywhere(store: BlobStore) -> None:
    ref = blob_ref(b"never stored")
    assert not store.exists(ref)
    for read in (store.get, store.size, store.chunks):
        with pytest.raises(BlobNotFound):
            read(ref)
    with pytest.raises(OSError):  # what callers written for the directory store catch
        store.get(ref)
    store.delete(ref)  # deleting what is not there is not an error


@pytest.mark.parametrize(
    "bad",
    ["sha256/" + "a" * 64, PREFIX + "A" * 64, PREFIX + "a" * 63, PREFIX + "../../etc/passwd", ""],
)
def test_malformed_ref_is_refused_by_every_operation(store: BlobStore, bad: str) -> None:
    for op in (store.get, store.exists, store.size, store.chunks, store.delete):
        with pytest.raises(ValueError):
            op(bad)


def test_large_blob_streams_in_and_out_in_bounded_memory(store: BlobStore) -> None:
    """24 MB (past the S3 multipart threshold) in 1 MB chunks, never held whole."""
    size, digest = 24 * MB, hashlib.sha256()

    def chunks() -> Iterator[bytes]:
        for i in range(size // MB):
            chunk = pseudo_random(MB, i.to_bytes(4, "big"))
            digest.update(chunk)
            yield chunk

    tracemalloc.start()
    try:
        ref = store.put_stream(chunks())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert ref == PREFIX + digest.hexdigest()
    assert peak < 8 * MB, f"peak {peak / MB:.1f} MB while storing {size / MB:.0f} MB"
    assert store.size(ref) == size
    back = hashlib.sha256()
    for chunk in store.chunks(ref, MB):
        assert len(chunk) <= MB
        back.update(chunk)
    assert back.hexdigest() == digest.hexdigest()


def test_concurrent_puts_of_same_and_different_content(store: BlobStore) -> None:
    blobs = [pseudo_random(50_000 + i, bytes([i])) for i in range(8)]
    work = blobs * 4  # each blob written by four threads at once
    with ThreadPoolExecutor(max_workers=16) as pool:
        refs = list(pool.map(store.put, work))
    assert refs == [blob_ref(b) for b in work]
    assert all(store.get(blob_ref(b)) == b for b in blobs)


def test_async_callers_use_the_store_through_threads(store: BlobStore) -> None:
    blobs = [pseudo_random(20_000, bytes([i, 1])) for i in range(6)]

    async def main() -> list[str]:
        refs = await asyncio.gather(*(asyncio.to_thread(store.put, b) for b in blobs))
        got = await asyncio.gather(*(asyncio.to_thread(store.get, r) for r in refs))
        assert got == blobs
        return list(refs)

    assert asyncio.run(main()) == [blob_ref(b) for b in blobs]


def test_refs_are_the_same_on_both_backends(
    tmp_path: Path, s3_server: S3Server, s3_bucket: str
) -> None:
    """A ref written by one backend reads back from the other after a copy by ref, and
    both equal the FIPS 180-2 test vector for "abc"."""
    files = open_blob_store(BlobSettings(), tmp_path / "blobs")
    bucket = open_blob_store(s3_settings(s3_server, s3_bucket), None)
    vector = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert files.put(b"abc") == bucket.put(b"abc") == PREFIX + vector
    ref = files.put_stream(iter([pseudo_random(300_000, b"moved")]))
    assert bucket.put_stream(files.chunks(ref)) == ref
    assert bucket.get(ref) == files.get(ref)


def test_layouts_directory_fan_out_and_bucket_key(
    tmp_path: Path, s3_server: S3Server, s3_bucket: str
) -> None:
    """Unchanged directory layout (root/ab/cd/<hex>); in the bucket, key = ref less ``blob:``."""
    ref = FileBlobStore(tmp_path).put(b"layout")
    hex_ = ref.removeprefix(PREFIX)
    assert (tmp_path / hex_[:2] / hex_[2:4] / hex_).read_bytes() == b"layout"
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [hex_]
    S3BlobStore(client_for(s3_server), s3_bucket, prefix="hotline/").put(b"layout")
    listed = client_for(s3_server).list_objects_v2(Bucket=s3_bucket)
    assert [o["Key"] for o in listed.get("Contents", [])] == [f"hotline/sha256/{hex_}"]


def test_a_wrong_secret_is_refused_by_the_server(s3_server: S3Server, s3_bucket: str) -> None:
    """The gateway checks signatures: this is a real S3 server, not an open bucket."""
    forged = open_blob_store(s3_settings(s3_server, s3_bucket, secret="not-the-secret"), None)
    with pytest.raises(ClientError) as caught:
        forged.put(b"forged")
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert isinstance(forged, S3BlobStore)
    with pytest.raises(ClientError) as caught:  # the write itself, without the HEAD before it
        forged.client.put_object(Bucket=s3_bucket, Key=forged.key(blob_ref(b"forged")), Body=b"x")
    assert caught.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
    assert not open_blob_store(s3_settings(s3_server, s3_bucket), None).exists(blob_ref(b"forged"))


def test_a_missing_bucket_is_an_error_not_a_missing_blob(s3_server: S3Server) -> None:
    client = s3_client(
        s3_server.endpoint, "us-east-1", (s3_server.access_key, s3_server.secret_key), True
    )
    store = S3BlobStore(client, "no-such-bucket-" + os.urandom(4).hex())
    with pytest.raises(ClientError):
        store.get(blob_ref(b"x"))
