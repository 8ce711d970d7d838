"""Telegram Bot API: POST /bot<token>/sendMessage. A satisfaction survey's choices are an
inline keyboard (rows of up to five buttons); a tap comes back as a ``callback_query`` whose
``data`` is the choice's reply id."""

from __future__ import annotations

from typing import Any

import msgspec

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
    if reply.survey is not None and reply.survey.choices:
        doc["reply_markup"] = keyboard_of(reply.survey)
    return Call(f"{base}/bot{token}/sendMessage", json=doc)


ROW_MAX = 5  # buttons per keyboard row
CALLBACK_DATA_MAX = 64  # bytes: Telegram refuses longer callback_data


def keyboard_of(survey: ev.SurveyAsk) -> dict[str, Any]:
    buttons = [
        {"text": c.title, "callback_data": c.reply_id}
        for c in survey.choices
        if len(c.reply_id.encode()) <= CALLBACK_DATA_MAX
    ]
    return {"inline_keyboard": [buttons[i : i + ROW_MAX] for i in range(0, len(buttons), ROW_MAX)]}


SURVEY_THANKS = "Thank you for your rating!"


def survey_tap_answer(body: bytes) -> bytes | None:
    """A tapped inline button shows a spinner until the bot calls answerCallbackQuery; the
    webhook's own answer may carry that call (Bot API: "making requests when getting
    updates"). For a tap on one of our survey buttons, it thanks her; None otherwise."""
    try:
        query = dig(msgspec.json.decode(body), "callback_query")
    except msgspec.DecodeError:
        return None
    data, query_id = dig(query, "data"), dig(query, "id")
    if not isinstance(data, str) or not isinstance(query_id, str):
        return None
    if ev.survey_answer(data) is None:
        return None
    call = {"method": "answerCallbackQuery", "callback_query_id": query_id, "text": SURVEY_THANKS}
    return msgspec.json.encode(call)


def outcome(status: int, body: bytes) -> SendOutcome:
    return read(status, body, _sent, _error)


def _sent(doc: Any) -> str | None:
    chat, mid = dig(doc, "result", "chat", "id"), dig(doc, "result", "message_id")
    return f"{chat}:{mid}" if dig(doc, "ok") and mid is not None else None


def _error(doc: Any) -> tuple[str | None, str]:
    code = dig(doc, "error_code")
    return (str(code) if code is not None else None), str(dig(doc, "description") or "")
