"""HTTP edge: ``POST /inbound/email`` takes one raw RFC 5322 message from a relay provider.

401 bad/missing/stale signature, 413 over the cap (the BodyLimit middleware, before reading
past it), 415 not a raw-mail media type, 400 not a mail at all, 503 when Kafka did not ack;
202 once the event (or, for poison, the dead letter) is acked.
"""

from __future__ import annotations

import re
import time

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from email_ingest.mailroom import Mailroom
from email_ingest.verify import verify
from hotline.http import Rejected
from hotline.intake.http import response_for

MEDIA_TYPES = ("message/rfc822", "application/octet-stream", "text/plain")
_FIRST_LINE = re.compile(rb"^(?:From [^\r\n]*\r?\n)?[A-Za-z0-9][A-Za-z0-9_.-]*[ \t]*:")


def router(mailroom: Mailroom, secrets: list[bytes]) -> APIRouter:
    api = APIRouter()

    @api.post("/inbound/email", status_code=202)
    async def inbound_email(request: Request) -> Response:
        _check_media_type(request.headers.get("content-type", ""))
        body = await request.body()
        h = request.headers
        verify(
            secrets, h.get("x-hotline-timestamp"), h.get("x-hotline-signature"), body, time.time()
        )
        if not _FIRST_LINE.match(body):
            raise Rejected(400, "malformed", "the body is not an RFC 5322 message")
        prepared, result = await mailroom.accept(body, source="webhook")
        if not result.accepted:
            return response_for(result)
        if result.status == "dead_lettered":
            doc = {"status": "dead_lettered", "event_id": None, "reason": result.detail}
        else:
            doc = {"status": "published", "event_id": prepared.marker, "reason": None}
        return JSONResponse(doc, status_code=202)

    return api


def _check_media_type(value: str) -> None:
    media = value.split(";", 1)[0].strip().lower()
    if media not in MEDIA_TYPES:
        raise Rejected(415, "unsupported_media_type", f"expected one of {', '.join(MEDIA_TYPES)}")
