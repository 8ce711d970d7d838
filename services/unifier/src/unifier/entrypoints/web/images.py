"""Which stored attachments the thread shows inline: those whose bytes are a safe raster image.

``await mark(request, tenant, thread)`` sets ``image`` on each attachment of a thread from
``queries.get_thread`` (one query for the messages that have attachments; each blob's answer
is cached by its content address, so a file is read once per process). A thread view calls it
before rendering ``message_content``.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request

from hotline import events as ev
from hotline.blobs import LocalBlobStore
from unifier.domain import message_files as files
from unifier.domain.inert import SNIFF_BYTES, sniff_image
from unifier.entrypoints.runtime import ConsumerRuntime
from unifier.settings import UnifierSettings
from unifier.store import content_rows


def url(message_id: str, index: int, thread_id: str | None) -> str:
    base = f"/inbox/messages/{quote(message_id, safe='')}/attachments/{index}"
    return base + (f"?c={quote(thread_id, safe='')}" if thread_id else "")


def by_content_id(
    event: ev.MessageReceived | None, message_id: str, thread_id: str | None
) -> dict[str, str]:
    """Content id -> our URL of the stored attachment, for an HTML body's ``cid:`` images."""
    attachments = event.attachments if event else []
    return {
        a.content_id.strip().strip("<>"): url(message_id, i, thread_id)
        for i, a in enumerate(attachments)
        if a.content_id and a.ref.startswith(files.BLOB_PREFIX)
    }


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
