"""Which stored attachments the thread shows inline: those whose bytes are a safe raster image.

``await mark(request, tenant, thread)`` sets ``image`` on each attachment of a thread from
``queries.get_thread`` (one query for the messages that have attachments; each blob's answer
is cached by its content address, so a file is read once per process). A thread view calls it
before rendering ``message_content``.
"""

from __future__ import annotations

import base64
import functools
from pathlib import Path
from typing import Any

from fastapi import Request

from hotline import events as ev
from hotline.blobs import BlobStore, LocalBlobStore
from unifier.domain import message_files as files
from unifier.domain.inert import SNIFF_BYTES, sniff_image
from unifier.entrypoints.runtime import ConsumerRuntime
from unifier.settings import UnifierSettings
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
def _sniffed(root: Path, ref: str) -> str | None:
    try:
        return sniff_image(LocalBlobStore(root).get(ref)[:SNIFF_BYTES])
    except (OSError, ValueError):
        return None


async def mark(request: Request, tenant: str, thread: dict[str, Any]) -> None:
    with_files = [m for m in thread["messages"] if m.get("attachments")]
    runtime: ConsumerRuntime = request.app.state.runtime
    async with runtime.engine.connect() as conn:
        payloads = await content_rows.thread_payloads(
            conn, tenant, thread["thread_id"], [m["message_id"] for m in with_files]
        )
    settings: UnifierSettings = request.app.state.hotline.settings
    for m in with_files:
        event = files.inbound(payloads[m["message_id"]])
        refs = [a.ref for a in event.attachments] if event else []
        for a, ref in zip(m["attachments"], refs, strict=False):
            a["image"] = a["stored"] and _sniffed(settings.blob_dir, ref) is not None
