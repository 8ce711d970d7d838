"""X API v2: POST /dm_conversations/with/{participant_id}/messages."""

from __future__ import annotations

from typing import Any

from hotline import events as ev
from social_ingest.outbound import Call, SendOutcome, dig, read, text_of


def request(reply: ev.ReplyRequested, base: str, token: str, mode: str) -> Call:
    url = f"{base}/dm_conversations/with/{reply.recipient}/messages"
    return Call(url, json={"text": text_of(reply)}, headers={"authorization": f"Bearer {token}"})


def outcome(status: int, body: bytes) -> SendOutcome:
    return read(status, body, lambda d: dig(d, "data", "dm_event_id"), _error)


def _error(doc: Any) -> tuple[str | None, str]:
    title = dig(doc, "title") or dig(doc, "errors", 0, "message")
    return None, str(title or dig(doc, "detail") or "")
