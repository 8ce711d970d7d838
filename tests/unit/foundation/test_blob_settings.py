"""Blob store settings and the factory every service uses (no server needed here)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from hotline.blobs import (
    BlobNotFound,
    BlobSettings,
    FileBlobStore,
    MemoryBlobStore,
    blob_ref,
    open_blob_store,
)
from hotline.blobs.s3 import S3BlobStore
from hotline.settings import ServiceSettings


def test_default_is_the_directory_store_at_blob_dir(tmp_path: Path) -> None:
    store = open_blob_store(ServiceSettings(), tmp_path)
    assert isinstance(store, FileBlobStore) and store.root == tmp_path
    with pytest.raises(ValueError, match="blob_dir"):
        open_blob_store(ServiceSettings(), None)


def test_s3_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {
        "HOTLINE_BLOB_STORE": "s3",
        "HOTLINE_BLOB_S3_ENDPOINT_URL": "http://127.0.0.1:1",
        "HOTLINE_BLOB_S3_BUCKET": "support-files",
        "HOTLINE_BLOB_S3_ACCESS_KEY_ID": "AKIDEXAMPLE",
        "HOTLINE_BLOB_S3_SECRET_ACCESS_KEY": "wJalrXUtnFEMI",
        "HOTLINE_BLOB_S3_PREFIX": "acme/",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = ServiceSettings()
    assert settings.s3_credentials() == ("AKIDEXAMPLE", "wJalrXUtnFEMI")
    assert "wJalrXUtnFEMI" not in repr(settings)  # secrets stay SecretStr
    store = open_blob_store(settings, None)  # no request is made until the store is used
    assert isinstance(store, S3BlobStore)
    assert (store.bucket, store.prefix) == ("support-files", "acme/")
    assert store.client.meta.endpoint_url == "http://127.0.0.1:1"
    assert store.key(blob_ref(b"x")) == "acme/sha256/" + blob_ref(b"x").rsplit("/", 1)[1]


def test_s3_keys_come_in_pairs() -> None:
    with pytest.raises(ValidationError, match="go together"):
        BlobSettings(blob_store="s3", blob_s3_access_key_id=SecretStr("AKID"))
    assert BlobSettings(blob_store="s3").s3_credentials() is None  # boto3's own chain


def test_s3_needs_a_bucket_and_a_known_backend() -> None:
    with pytest.raises(ValidationError, match="bucket"):
        BlobSettings(blob_store="s3", blob_s3_bucket="")
    with pytest.raises(ValidationError):
        BlobSettings(blob_store="ftp")


def test_placeholder_s3_secret_refused_outside_dev() -> None:
    with pytest.raises(ValidationError, match="blob_s3_secret_access_key"):
        ServiceSettings(
            env="prod",
            blob_store="s3",
            blob_s3_access_key_id=SecretStr("AKIDEXAMPLE"),
            blob_s3_secret_access_key=SecretStr("change-me"),
        )


def test_memory_store_follows_the_same_contract() -> None:
    store = MemoryBlobStore()
    ref = store.put_stream(iter([b"ab", b"c"]))
    assert ref == blob_ref(b"abc") and store.size(ref) == 3
    assert b"".join(store.chunks(ref, 2)) == b"abc"
    store.delete(ref)
    with pytest.raises(BlobNotFound):
        store.get(ref)
    with pytest.raises(ValueError):
        store.exists("blob:sha256/nope")
