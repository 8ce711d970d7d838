"""A reply's files on WhatsApp: each read from the blob store the unifier's uploads went to,
uploaded to the Cloud API's media endpoint, then sent as its own message; the text rides as
the first file's caption (or goes first as a text message when longer than a caption may be).
The result names the first message sent; any failed step is the reply's outcome (a missing
blob: ``failed``, ``attachment_missing``, never a silent drop)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from hotline import events as ev
from hotline.blobs import BlobStore
from social_ingest.outbound import Call, SendOutcome, text_of
from social_ingest.providers.whatsapp import outbound as whatsapp_out

Reader = Callable[[int, bytes], SendOutcome]
Send = Callable[[Call, Reader], Awaitable[SendOutcome]]


async def whatsapp_files(
    reply: ev.ReplyRequested, blobs: BlobStore, base: str, token: str, send: Send
) -> SendOutcome:
    text = text_of(reply)
    caption: str | None = text if len(text) <= whatsapp_out.CAPTION_MAX else None
    first: SendOutcome | None = None
    if text and caption is None:
        first = await send(whatsapp_out.request(reply, base, token, "free"), whatsapp_out.outcome)
        if first.status != "sent":
            return first
    for file in reply.attachments:
        out = await _one(reply, file, caption, blobs, (base, token), send)
        if out.status != "sent":
            return out
        first, caption = first or out, None
    assert first is not None  # called only for a reply with files
    return first


async def _one(
    reply: ev.ReplyRequested,
    file: ev.AttachmentRef,
    caption: str | None,
    blobs: BlobStore,
    api: tuple[str, str],
    send: Send,
) -> SendOutcome:
    try:
        data = await asyncio.to_thread(blobs.get, file.ref)
    except (OSError, ValueError) as exc:
        return SendOutcome("failed", code="attachment_missing", reason=str(exc))
    up = await send(whatsapp_out.media_upload(reply, file, data, *api), whatsapp_out.uploaded)
    if up.status != "sent" or up.provider_message_id is None:
        return up
    message = whatsapp_out.media_message(reply, file, up.provider_message_id, caption, *api)
    return await send(message, whatsapp_out.outcome)
