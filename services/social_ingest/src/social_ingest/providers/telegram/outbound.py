"""Telegram Bot API: POST /bot<token>/sendMessage."""

from __future__ import annotations

from typing import Any

from hotline import events as ev
from social_ingest.outbound import Call, SendOutcome, dig, read, text_of


def request(reply: ev.ReplyRequested, base: str, token: str, mode: str) -> Call:
    doc: dict[str, Any] = {"chat_id": reply.recipient, "text": text_of(reply)}
    replied = reply.thread.replied_to_message_id
    if replied and ":" in replied:  # our ids are "<chat id>:<message id>"
        doc["reply_parameters"] = {
            "message_id": int(replied.rsplit(":", 1)[1]),
            "allow_sending_without_reply": True,
        }
    return Call(f"{base}/bot{token}/sendMessage", json=doc)


def outcome(status: int, body: bytes) -> SendOutcome:
    return read(status, body, _sent, _error)


def _sent(doc: Any) -> str | None:
    chat, mid = dig(doc, "result", "chat", "id"), dig(doc, "result", "message_id")
    return f"{chat}:{mid}" if dig(doc, "ok") and mid is not None else None


def _error(doc: Any) -> tuple[str | None, str]:
    code = dig(doc, "error_code")
    return (str(code) if code is not None else None), str(dig(doc, "description") or "")
