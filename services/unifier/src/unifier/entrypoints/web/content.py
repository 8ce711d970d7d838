"""A message's content beyond its text, for the signed-in agent's tenant only.

- ``GET /inbox/messages/{id}/html``: the HTML mail body, sanitized (``web.sanitize``), under
  its own CSP (nothing loads but our own and inline images, no script) and a CSP sandbox, to
  be shown only in ``<iframe sandbox>`` (the macro in ``_content.html`` does).
- ``GET /inbox/messages/{id}/attachments/{index}``: the file from the configured blob store
  (``app.state.blobs``: the directory or the S3 bucket the edges write to), streamed. PNG, JPEG,
  GIF and WebP (by their bytes, never by the declared type; never SVG) inline as their type;
  everything else as ``application/octet-stream``, ``Content-Disposition: attachment``.
- ``GET /inbox/messages/{id}``: the message on its own page (its pane with ``HX-Request``).

``?c=<thread id>`` (the macro's links carry it) narrows the lookup to the thread's index.
Another tenant's message id is a 404, the same as an unknown one.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from hotline import events as ev
from hotline.blobs import BlobStore
from unifier.domain import message_files as files
from unifier.domain.inert import SNIFF_BYTES, content_disposition, sniff_image
from unifier.entrypoints.api.auth import Principal, page_principal
from unifier.entrypoints.runtime import ConsumerRuntime
from unifier.entrypoints.web import images
from unifier.entrypoints.web.sanitize import decode_html, document, sanitize
from unifier.entrypoints.web.templating import render
from unifier.store import content_rows, queries
from unifier.store.engine import snapshot

router = APIRouter(tags=["page"])
Who = Annotated[Principal, Depends(page_principal)]
HTML_CSP = (
    "default-src 'none'; img-src data: 'self'; style-src 'unsafe-inline'; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'; "
    "sandbox allow-popups allow-popups-to-escape-sandbox"
)
FILE_CSP = "default-src 'none'; frame-ancestors 'self'; sandbox"
NO_STORE = {"Cache-Control": "private, no-store"}


class Missing(Exception):
    """What cannot be served, said in the page: 404 with the reason."""


def blob_store(request: Request) -> BlobStore:
    store: BlobStore = request.app.state.blobs
    return store


async def _payload(request: Request, who: Principal, message_id: str, c: str | None) -> bytes:
    runtime: ConsumerRuntime = request.app.state.runtime
    async with runtime.engine.connect() as conn:
        found = await content_rows.message_payload(conn, who.tenant, message_id, c)
    if found is None:
        raise Missing(f"There is no message {message_id} in this workspace.")
    return found


async def _read(blobs: BlobStore, ref: str, what: str) -> bytes:
    try:
        return await asyncio.to_thread(blobs.get, ref)
    except (OSError, ValueError) as exc:
        raise Missing(f"The {what} is not in the blob store ({ref}).") from exc


async def _open(blobs: BlobStore, ref: str) -> Iterator[bytes]:
    try:
        return await asyncio.to_thread(blobs.chunks, ref)
    except (OSError, ValueError) as exc:
        raise Missing(f"The attachment is not in the blob store ({ref}).") from exc


async def _from_raw(blobs: BlobStore, found: ev.AttachmentRef) -> bytes:
    raw = await _read(blobs, found.ref, "original message")
    data = await asyncio.to_thread(files.part_bytes, raw, found.part or "")
    if data is None:
        raise Missing(f"The original message has no part {found.part}.")
    return data


def _not_stored(found: ev.AttachmentRef) -> str:
    where = f"the provider keeps it as {files.provider_id(found.ref)}."
    if found.fetch_error:
        return f"Not stored: copying it from the provider failed ({found.fetch_error}); {where}"
    return f"Not stored: {where}"


def _missing(who: Principal, reason: str) -> HTMLResponse:
    return render("content_missing.html", who, status_code=404, reason=reason)


@router.get("/inbox/messages/{message_id}/html", response_class=HTMLResponse)
async def html_body(request: Request, who: Who, message_id: str, c: str | None = None) -> Response:
    try:
        event = files.inbound(await _payload(request, who, message_id, c))
        ref = files.html_ref(event)
        if ref is None:
            raise Missing("This message has no HTML version.")
        raw = await _read(blob_store(request), ref, "HTML body")
    except Missing as exc:
        return _missing(who, str(exc))
    cids = await asyncio.to_thread(images.by_content_id, event, blob_store(request))
    body = document(sanitize(decode_html(raw), cids))
    headers = {"Content-Security-Policy": HTML_CSP, "X-Frame-Options": "SAMEORIGIN", **NO_STORE}
    return HTMLResponse(body, headers=headers)


@router.get("/inbox/messages/{message_id}/attachments/{index}")
async def attachment(
    request: Request, who: Who, message_id: str, index: int, c: str | None = None
) -> Response:
    try:
        found = files.attachment(await _payload(request, who, message_id, c), index)
        if found is None:
            raise Missing(f"Message {message_id} has no attachment {index}.")
        if not found.ref.startswith(files.BLOB_PREFIX):
            raise Missing(_not_stored(found))
        if found.part:  # too large to store alone: read from the raw message it came in
            chunks = iter([await _from_raw(blob_store(request), found)])
        else:
            chunks = await _open(blob_store(request), found.ref)
    except Missing as exc:
        return _missing(who, str(exc))
    return await file_response(chunks, found.filename)


async def file_response(chunks: Iterator[bytes], filename: str | None) -> Response:
    """Safe raster images inline as what their bytes are; anything else a download. The
    first chunk (read here) decides; the rest streams from the store as the client reads."""
    first = await asyncio.to_thread(next, chunks, b"")
    image = sniff_image(first[:SNIFF_BYTES])
    headers = {
        "Content-Disposition": content_disposition(filename, inline=image is not None),
        "Content-Security-Policy": FILE_CSP,
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, max-age=3600",
    }
    body = itertools.chain([first], chunks)  # a sync iterator: Starlette reads it in a thread
    return StreamingResponse(body, media_type=image or "application/octet-stream", headers=headers)


@router.get("/inbox/messages/{message_id}", response_class=HTMLResponse)
async def message_page(
    request: Request,
    who: Who,
    message_id: str,
    c: str | None = None,
    hx_request: Annotated[str | None, Header()] = None,
) -> HTMLResponse:
    thread, attached = await _thread_with(request, who, message_id, c)
    found = [m for m in (thread or {}).get("messages", []) if m["message_id"] == message_id]
    if thread is None or not found:
        return _missing(who, f"There is no message {message_id} in this workspace.")
    await images.mark(request, attached)
    name = "_message.html" if hx_request else "message.html"
    return render(name, who, m=found[0], subject=thread["subject"])


async def _thread_with(
    request: Request, who: Principal, message_id: str, c: str | None
) -> tuple[dict[str, Any] | None, images.Stored]:
    """The message's thread and its attachments' blobs, one committed state."""
    runtime: ConsumerRuntime = request.app.state.runtime
    async with snapshot(runtime.engine) as conn:
        thread_id = c or await content_rows.thread_of_message(conn, who.tenant, message_id)
        thread = await queries.get_thread(conn, who.tenant, thread_id) if thread_id else None
        return thread, await images.stored(conn, who.tenant, thread) if thread else []
