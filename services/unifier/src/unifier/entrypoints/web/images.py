"""Which stored attachments the thread shows inline: those whose bytes are a safe raster image.

``await mark(request, await stored(conn, tenant, thread))`` sets ``image`` on each attachment
of a thread from ``queries.get_thread``: ``stored`` reads the blob of each (one query for the
messages that have attachments, on the connection the thread was read on, so both are one
state), ``mark`` looks at the blobs (each blob's answer is cached by its content address, so a
blob's head is read once per process, in a thread: the store may be a network one). A thread
view calls them before rendering ``message_content``.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import itertools
from typing import Any

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline import events as ev
from hotline.blobs import BlobStore
from unifier.domain import message_files as files
from unifier.domain.inert import SNIFF_BYTES, sniff_image
from unifier.store import content_rows

INLINE_MAX = 4 * 1024 * 1024  # the cid: images embedded in one HTML body, base64 included


def by_content_id(event: ev.MessageReceived | None, blobs: BlobStore) -> dict[str, str]:
    """Content id -> a ``data:`` URI of the stored attachment, for an HTML body's ``cid:``
    images: only safe raster images (by their bytes), at most ``INLINE_MAX`` bytes in all.

    Embedded rather than linked: the sandboxed iframe has an opaque origin, so a link back to
    us would carry no session cookie and meet ``Cross-Origin-Resource-Policy``."""
    out: dict[str, str] = {}
    budget = INLINE_MAX
    for a in event.attachments if event else []:
        if not (a.content_id and a.ref.startswith(files.BLOB_PREFIX)) or (a.size or 0) > budget:
            continue
        data = _data_uri(blobs, a.ref, budget)
        if data:
            out[a.content_id.strip().strip("<>")] = data
            budget -= len(data)
    return out


def _data_uri(blobs: BlobStore, ref: str, budget: int) -> str | None:
    try:
        data = blobs.get(ref)
    except (OSError, ValueError):
        return None
    mime = sniff_image(data[:SNIFF_BYTES])
    encoded = base64.b64encode(data).decode()
    return f"data:{mime};base64,{encoded}" if mime and len(encoded) <= budget else None


@functools.lru_cache(maxsize=8192)
def _sniffed(blobs: BlobStore, ref: str) -> str | None:
    """The image type of a blob's first bytes (only its first chunk is read)."""
    try:
        head = b"".join(itertools.islice(blobs.chunks(ref, SNIFF_BYTES), 1))
    except (OSError, ValueError):
        return None
    return sniff_image(head)


Stored = list[tuple[dict[str, Any], str]]  # an attachment as shown, its blob's reference


async def stored(conn: AsyncConnection, tenant: str, thread: dict[str, Any]) -> Stored:
    """The thread's attachments with their blobs' references, read on ``conn``: the connection
    (the snapshot) the thread was read on, so a message moved or deleted since is not asked."""
    with_files = [m for m in thread["messages"] if m.get("attachments")]
    payloads = await content_rows.thread_payloads(
        conn, tenant, thread["thread_id"], [m["message_id"] for m in with_files]
    )
    pairs: Stored = []
    for m in with_files:
        refs = [a.ref for a in files.carried(payloads[m["message_id"]])]
        pairs += list(zip(m["attachments"], refs, strict=False))
    return pairs


async def mark(request: Request, pairs: Stored) -> None:
    await asyncio.to_thread(_mark_images, request.app.state.blobs, pairs)


def _mark_images(blobs: BlobStore, pairs: list[tuple[dict[str, Any], str]]) -> None:
    for a, ref in pairs:
        a["image"] = a["stored"] and _sniffed(blobs, ref) is not None
