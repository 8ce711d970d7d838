"""Content addresses: ``blob:sha256/<64 hex>``, the same whichever store holds the bytes."""

from __future__ import annotations

import hashlib

PREFIX = "blob:sha256/"
HEX = frozenset("0123456789abcdef")


class BlobNotFound(FileNotFoundError):
    """No blob under this ref. A ``FileNotFoundError`` (so an ``OSError``) on every backend."""


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def blob_ref(data: bytes) -> str:
    return PREFIX + sha256_hex(data)


def digest_of(ref: str) -> str:
    """The hex digest of a well-formed ref; ``ValueError`` for anything else (never a path)."""
    if not ref.startswith(PREFIX):
        raise ValueError(f"not a blob ref: {ref!r}")
    digest = ref.removeprefix(PREFIX)
    if len(digest) != 64 or not HEX.issuperset(digest):
        raise ValueError(f"bad blob digest: {digest!r}")
    return digest
