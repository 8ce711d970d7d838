"""Twilio Messages API: POST /Accounts/{sid}/Messages.json (form, basic auth)."""

from __future__ import annotations

from typing import Any

from hotline import events as ev
from social_ingest.outbound import Call, SendOutcome, dig, read, text_of

RETRY_CODES = frozenset({"20429", "20500", "20503", "30001", "30008"})


def request(reply: ev.ReplyRequested, base: str, sid: str, token: str) -> Call:
    form = {"To": reply.recipient, "From": reply.channel.account_id, "Body": text_of(reply)}
    return Call(f"{base}/Accounts/{sid}/Messages.json", form=form, auth=(sid, token))


def outcome(status: int, body: bytes) -> SendOutcome:
    return read(status, body, lambda d: dig(d, "sid"), _error, retry_codes=RETRY_CODES)


def _error(doc: Any) -> tuple[str | None, str]:
    code = dig(doc, "code")
    return (str(code) if code is not None else None), str(dig(doc, "message") or "")
