"""A call's item in the thread, for the signed-in agent's tenant only.

- ``GET /inbox/calls/{message_id}/recordings/{index}`` and ``…/voicemail``: the recording from
  the configured blob store (the same store and lookup rules as attachments: another tenant's
  or an unknown id is a 404, a recording the edge could not copy is "not stored" with the
  reason). WAV, MP3, Ogg and FLAC (by their bytes, never by the declared type) are served as
  their type for the page's ``<audio>`` player; anything else only as a download.
- ``POST /inbox/conversations/{cid}/callback``: "Call back" (``service.callbacks``); answers
  the small status fragment that replaces the button.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from hotline import unified as un
from hotline.http import Rejected
from unifier.domain import message_files as files
from unifier.domain.inert import SNIFF_BYTES, content_disposition, sniff_audio
from unifier.entrypoints.api import calls
from unifier.entrypoints.api.auth import Principal, page_principal
from unifier.entrypoints.web.content import FILE_CSP, blob_store, file_response
from unifier.entrypoints.web.templating import render
from unifier.service import callbacks
from unifier.store import call_views

router = APIRouter(tags=["page"])
Who = Annotated[Principal, Depends(page_principal)]


class Missing(Exception):
    """What cannot be played, said in the page: 404 with the reason."""


async def _call(request: Request, who: Principal, message_id: str) -> un.CallRecord:
    found = await calls.read(
        request, lambda c: call_views.call_of_message(c, who.tenant, message_id)
    )
    if found is None:
        raise Missing(f"There is no call {message_id} in this workspace.")
    return found


async def _serve(request: Request, ref: str | None, error: str | None) -> Response:
    if not ref:
        raise Missing("This call has no such recording.")
    if not ref.startswith(files.BLOB_PREFIX):
        why = f"copying it from the provider failed ({error})" if error else "not copied"
        raise Missing(f"Not stored: {why}; the provider keeps it as {files.provider_id(ref)}.")
    try:
        chunks = await asyncio.to_thread(blob_store(request).chunks, ref)
    except (OSError, ValueError) as exc:
        raise Missing(f"The recording is not in the blob store ({ref}).") from exc
    return await audio_response(chunks)


async def audio_response(chunks: Iterator[bytes]) -> Response:
    """A recording the browser can play, as its real type; anything else a download."""
    first = await asyncio.to_thread(next, chunks, b"")
    audio = sniff_audio(first[:SNIFF_BYTES])
    if audio is None:
        return await file_response(itertools.chain([first], chunks), "recording")
    headers = {
        "Content-Disposition": content_disposition("recording", inline=True),
        "Content-Security-Policy": FILE_CSP,
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, max-age=3600",
    }
    return StreamingResponse(itertools.chain([first], chunks), media_type=audio, headers=headers)


def _missing(who: Principal, exc: Missing) -> HTMLResponse:
    return render("content_missing.html", who, status_code=404, reason=str(exc))


@router.get("/inbox/calls/{message_id}/recordings/{index}", include_in_schema=False)
async def recording(request: Request, who: Who, message_id: str, index: int) -> Response:
    try:
        record = await _call(request, who, message_id)
        if not 0 <= index < len(record.recordings):
            raise Missing(f"Call {message_id} has no recording {index}.")
        found = record.recordings[index]
        return await _serve(request, found.ref, found.fetch_error)
    except Missing as exc:
        return _missing(who, exc)


@router.get("/inbox/calls/{message_id}/voicemail", include_in_schema=False)
async def voicemail(request: Request, who: Who, message_id: str) -> Response:
    try:
        record = await _call(request, who, message_id)
        left = record.voicemail
        return await _serve(request, left.ref if left else None, left.fetch_error if left else None)
    except Missing as exc:
        return _missing(who, exc)


@router.post(
    "/inbox/conversations/{cid}/callback", response_class=HTMLResponse, include_in_schema=False
)
async def call_back(request: Request, who: Who, cid: str) -> HTMLResponse:
    try:
        event = await calls.write(
            request,
            who.tenant,
            lambda c: callbacks.request_callback(c, who.tenant, cid, who.agent_id),
            [cid],
        )
    except Rejected as exc:
        return render("_callback.html", who, status_code=exc.status, error=exc.detail, event=None)
    return render("_callback.html", who, error=None, event=event)
