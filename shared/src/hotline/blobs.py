"""Blob store for attachments and large bodies, content-addressed by sha256.

Pure code computes refs with ``blob_ref`` (no I/O) and hands the bytes to the edge, which calls
``BlobStore.put`` before publishing the event that references them. The local directory store is
the default; anything with ``put``/``get``/``exists`` can replace it.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Protocol

PREFIX = "blob:sha256/"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def blob_ref(data: bytes) -> str:
    return PREFIX + sha256_hex(data)


class BlobStore(Protocol):
    def put(self, data: bytes) -> str: ...
    def get(self, ref: str) -> bytes: ...
    def exists(self, ref: str) -> bool: ...


class LocalBlobStore:
    """Files under ``root/ab/cd/<sha256>``; writes are atomic (temp file + rename)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, ref: str) -> Path:
        if not ref.startswith(PREFIX):
            raise ValueError(f"not a blob ref: {ref!r}")
        digest = ref.removeprefix(PREFIX)
        if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
            raise ValueError(f"bad blob digest: {digest!r}")
        return self.root / digest[:2] / digest[2:4] / digest

    def put(self, data: bytes) -> str:
        ref = blob_ref(data)
        path = self._path(ref)
        if path.exists():
            return ref
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
        return ref

    def get(self, ref: str) -> bytes:
        return self._path(ref).read_bytes()

    def exists(self, ref: str) -> bool:
        return self._path(ref).exists()


class MemoryBlobStore:
    """For unit tests."""

    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}

    def put(self, data: bytes) -> str:
        ref = blob_ref(data)
        self.blobs[ref] = data
        return ref

    def get(self, ref: str) -> bytes:
        return self.blobs[ref]

    def exists(self, ref: str) -> bool:
        return ref in self.blobs
