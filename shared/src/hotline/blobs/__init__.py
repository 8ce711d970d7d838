"""Blob store for attachments and large bodies, content-addressed by sha256.

Pure code computes refs with ``blob_ref`` (no I/O) and hands the bytes to the edge, which puts
them in the store before publishing the event that references them. One interface
(``BlobStore``: put, put_stream, get, chunks, exists, size, delete), two backends: the local
directory (``FileBlobStore``, the default) and an S3-compatible bucket (``hotline.blobs.s3``,
imported only when configured). ``open_blob_store(settings, blob_dir)`` builds the configured
one; a missing blob raises ``BlobNotFound`` (an ``OSError``), a malformed ref ``ValueError``.
"""

from hotline.blobs.config import BlobSettings, open_blob_store
from hotline.blobs.refs import PREFIX, BlobNotFound, blob_ref, digest_of, sha256_hex
from hotline.blobs.store import BlobStore, FileBlobStore, LocalBlobStore, MemoryBlobStore

__all__ = [
    "PREFIX",
    "BlobNotFound",
    "BlobSettings",
    "BlobStore",
    "FileBlobStore",
    "LocalBlobStore",
    "MemoryBlobStore",
    "blob_ref",
    "digest_of",
    "open_blob_store",
    "sha256_hex",
]
