"""Messenger / Instagram Send API: POST /me/messages (RESPONSE, or HUMAN_AGENT up to 7 days).
A satisfaction survey's choices are ``quick_replies``; a tap comes back as the message's
``quick_reply.payload`` (the choice's reply id)."""

from __future__ import annotations

from typing import Any

from hotline import events as ev
from social_ingest.outbound import Call, SendOutcome, dig, read, text_of

WINDOW_CODES = frozenset({"2018278", "10"})  # outside the allowed window / permission
RETRY_CODES = frozenset({"1", "2", "4", "17", "341", "613", "1200"})


def request(reply: ev.ReplyRequested, base: str, token: str, mode: str) -> Call:
    doc: dict[str, Any] = {
        "recipient": {"id": reply.recipient},
        "message": {"text": text_of(reply)},
    }
    if reply.survey is not None and reply.survey.choices:
        doc["message"]["quick_replies"] = quick_replies_of(reply.survey)
    if mode == "human_agent":
        doc |= {"messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT"}
    else:
        doc["messaging_type"] = "RESPONSE"
    return Call(f"{base}/me/messages", json=doc, headers={"authorization": f"Bearer {token}"})


QUICK_REPLIES_MAX, QUICK_TITLE_MAX = 13, 20


def quick_replies_of(survey: ev.SurveyAsk) -> list[dict[str, str]]:
    return [
        {"content_type": "text", "title": c.title[:QUICK_TITLE_MAX], "payload": c.reply_id}
        for c in survey.choices[:QUICK_REPLIES_MAX]
    ]


def outcome(status: int, body: bytes) -> SendOutcome:
    return read(
        status,
        body,
        lambda d: dig(d, "message_id"),
        _error,
        window_codes=WINDOW_CODES,
        retry_codes=RETRY_CODES,
    )


def _error(doc: Any) -> tuple[str | None, str]:
    code = dig(doc, "error", "error_subcode") or dig(doc, "error", "code")
    return (str(code) if code is not None else None), str(dig(doc, "error", "message") or "")
