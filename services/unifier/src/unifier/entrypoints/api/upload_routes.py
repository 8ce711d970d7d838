"""Agent API: a file uploaded to attach to a reply.

``POST /api/tenants/{tenant}/uploads`` (multipart, one field ``file``) puts the bytes in the blob
store the edges' reply senders read and records that this tenant may send them; it answers
``{ref, filename, mime_type, size, sha256}``. The type is decided from the bytes
(``domain.upload_types``), the name cleaned (``domain.inert.safe_filename``). Past
``reply_attachment_max_bytes`` it is a 413 and nothing is stored. A reply then names the refs
in ``attachments``."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, UploadFile

from hotline.blobs import BlobStore, digest_of
from hotline.http import Rejected
from unifier.domain.inert import safe_filename
from unifier.domain.upload_types import upload_type
from unifier.entrypoints.api import calls
from unifier.entrypoints.api.auth import Principal, principal
from unifier.store import upload_rows

router = APIRouter(prefix="/api/tenants/{tenant}", tags=["agent"])
Who = Annotated[Principal, Depends(principal)]


def _blobs(request: Request) -> BlobStore:
    store: BlobStore = request.app.state.blobs
    return store


async def _bounded(file: UploadFile, cap: int) -> bytes:
    data = await file.read(cap + 1)
    if len(data) > cap:
        raise Rejected(
            413, "too_large", f"the file is larger than {cap} bytes, the most a reply may attach"
        )
    return data


@router.post("/uploads", status_code=201)
async def upload(request: Request, tenant: str, who: Who, file: UploadFile) -> dict[str, Any]:
    """Store one file for a reply; the same bytes again answer the same ref."""
    data = await _bounded(file, calls.runtime(request).settings.reply_attachment_max_bytes)
    if not data:
        raise Rejected(422, "empty_file", "the file is empty")
    ref = await asyncio.to_thread(_blobs(request).put, data)
    row = {
        "tenant": tenant,
        "ref": ref,
        "filename": safe_filename(file.filename),
        "mime_type": upload_type(data, file.content_type),
        "size": len(data),
        "uploaded_by": who.agent_id,
        "uploaded_at": datetime.now(UTC),
    }
    kept = await calls.write(request, tenant, lambda c: upload_rows.add_upload(c, row))
    keys = ("ref", "filename", "mime_type", "size")
    return {**{k: kept[k] for k in keys}, "sha256": digest_of(ref)}


async def stored_uploads(request: Request, refs: Sequence[str]) -> None:
    """Each ref well-formed and its bytes in the blob store, else a 422 naming it (the reply
    then checks that this tenant uploaded them)."""
    for ref in refs:
        try:
            there = await asyncio.to_thread(_blobs(request).exists, ref)
        except ValueError:
            there = False
        if not there:
            raise Rejected(422, "unknown_attachment", f"no uploaded file {ref} in the blob store")
