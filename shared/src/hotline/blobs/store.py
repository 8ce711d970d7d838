"""The blob store interface, the filesystem store (the default) and an in-memory one for tests.

Every store is synchronous and thread-safe: async code calls it through ``asyncio.to_thread``
(a network store blocks). ``put_stream`` takes the bytes as chunks, so a large part is never
held in memory whole; ``chunks`` gives them back the same way.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Hashable, Iterable, Iterator
from pathlib import Path
from typing import IO, Protocol

from hotline.blobs.refs import PREFIX, BlobNotFound, blob_ref, digest_of

CHUNK = 1024 * 1024


class BlobStore(Hashable, Protocol):  # hashable: readers cache answers per store
    def put(self, data: bytes) -> str: ...
    def put_stream(self, chunks: Iterable[bytes]) -> str: ...
    def get(self, ref: str) -> bytes: ...
    def chunks(self, ref: str, size: int = CHUNK) -> Iterator[bytes]: ...
    def exists(self, ref: str) -> bool: ...
    def size(self, ref: str) -> int: ...
    def delete(self, ref: str) -> None: ...


def spool(chunks: Iterable[bytes], into: IO[bytes]) -> str:
    """Write the chunks to ``into`` and return their ref."""
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
        into.write(chunk)
    return PREFIX + digest.hexdigest()


class FileBlobStore:
    """Files under ``root/ab/cd/<sha256>``; writes are atomic (temp file + rename)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, ref: str) -> Path:
        digest = digest_of(ref)
        return self.root / digest[:2] / digest[2:4] / digest

    def put(self, data: bytes) -> str:
        ref = blob_ref(data)
        return ref if self.exists(ref) else self.put_stream([data])

    def put_stream(self, chunks: Iterable[bytes]) -> str:
        """Spooled to a temp file beside the tree, then renamed into place: readers never
        see a partial blob, and a blob already there is replaced by the same bytes."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".in-")
        try:
            with os.fdopen(fd, "wb") as fh:
                ref = spool(chunks, fh)
            path = self._path(ref)
            path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        return ref

    def get(self, ref: str) -> bytes:
        try:
            return self._path(ref).read_bytes()
        except FileNotFoundError as exc:
            raise BlobNotFound(ref) from exc

    def chunks(self, ref: str, size: int = CHUNK) -> Iterator[bytes]:
        try:
            fh = self._path(ref).open("rb")
        except FileNotFoundError as exc:
            raise BlobNotFound(ref) from exc
        return _read_chunks(fh, size)

    def exists(self, ref: str) -> bool:
        return self._path(ref).exists()

    def size(self, ref: str) -> int:
        try:
            return self._path(ref).stat().st_size
        except FileNotFoundError as exc:
            raise BlobNotFound(ref) from exc

    def delete(self, ref: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._path(ref).unlink()


def _read_chunks(fh: IO[bytes], size: int) -> Iterator[bytes]:
    with fh:
        while chunk := fh.read(size):
            yield chunk


LocalBlobStore = FileBlobStore  # the name the services used first


class MemoryBlobStore:
    """For unit tests."""

    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}

    def put(self, data: bytes) -> str:
        ref = blob_ref(data)
        self.blobs[ref] = data
        return ref

    def put_stream(self, chunks: Iterable[bytes]) -> str:
        return self.put(b"".join(chunks))

    def get(self, ref: str) -> bytes:
        digest_of(ref)
        if ref not in self.blobs:
            raise BlobNotFound(ref)
        return self.blobs[ref]

    def chunks(self, ref: str, size: int = CHUNK) -> Iterator[bytes]:
        data = self.get(ref)
        return iter([data[i : i + size] for i in range(0, len(data), size)])

    def exists(self, ref: str) -> bool:
        digest_of(ref)
        return ref in self.blobs

    def size(self, ref: str) -> int:
        return len(self.get(ref))

    def delete(self, ref: str) -> None:
        digest_of(ref)
        self.blobs.pop(ref, None)
