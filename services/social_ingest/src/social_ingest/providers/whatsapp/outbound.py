"""WhatsApp Cloud API: POST /{phone-number-id}/messages (text, or a template outside 24 h); a
reply's files are first uploaded to POST /{phone-number-id}/media, then sent as ``image``
(JPEG, PNG) or ``document`` messages naming the media id, the text as the first one's caption.
A satisfaction survey is an ``interactive`` message: reply buttons (three at most), else a
list; the customer's tap comes back as ``button_reply`` / ``list_reply`` with our id."""

from __future__ import annotations

from typing import Any

from hotline import events as ev
from social_ingest.outbound import Call, SendOutcome, dig, read, text_of

WINDOW_CODES = frozenset({"131047"})  # re-engagement: more than 24 h since the customer wrote
DEFAULT_LANGUAGE = "en_US"  # a template reply that names no language (before it could)
RETRY_CODES = frozenset({"1", "2", "4", "80007", "130429", "131000", "131016", "131048", "133004"})
IMAGE_TYPES = frozenset({"image/jpeg", "image/png"})  # what the Cloud API takes as "image"
CAPTION_MAX = 1024
BUTTONS_MAX, BUTTON_TITLE_MAX, ROW_TITLE_MAX, ROWS_MAX = 3, 20, 24, 10


def request(reply: ev.ReplyRequested, base: str, token: str, mode: str) -> Call:
    doc: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": reply.recipient,
    }
    if mode == "template":
        doc |= {"type": "template", "template": template_of(reply)}
    elif reply.survey is not None and reply.survey.choices:
        doc |= {"type": "interactive", "interactive": survey_of(reply.survey, text_of(reply))}
    else:
        doc |= {"type": "text", "text": {"body": text_of(reply), "preview_url": False}}
    if reply.thread.replied_to_message_id:
        doc["context"] = {"message_id": reply.thread.replied_to_message_id}
    url = f"{base}/{reply.channel.account_id}/messages"
    return Call(url, json=doc, headers={"authorization": f"Bearer {token}"})


def media_upload(
    reply: ev.ReplyRequested, file: ev.AttachmentRef, data: bytes, base: str, token: str
) -> Call:
    """Upload one file: the answer's ``id`` is the media id a message then names."""
    name = file.filename or "attachment"
    return Call(
        f"{base}/{reply.channel.account_id}/media",
        form={"messaging_product": "whatsapp", "type": file.mime_type},
        files={"file": (name, data, file.mime_type)},
        headers={"authorization": f"Bearer {token}"},
    )


def media_message(
    reply: ev.ReplyRequested, file: ev.AttachmentRef, media_id: str, caption: str | None, base: str,
    token: str,
) -> Call:  # fmt: skip
    kind = "image" if file.mime_type in IMAGE_TYPES else "document"
    media: dict[str, Any] = {"id": media_id}
    if kind == "document":
        media["filename"] = file.filename or "attachment"
    if caption:
        media["caption"] = caption
    doc: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": reply.recipient,
        "type": kind,
        kind: media,
    }
    if reply.thread.replied_to_message_id:
        doc["context"] = {"message_id": reply.thread.replied_to_message_id}
    url = f"{base}/{reply.channel.account_id}/messages"
    return Call(url, json=doc, headers={"authorization": f"Bearer {token}"})


def uploaded(status: int, body: bytes) -> SendOutcome:
    """The upload's outcome: ``provider_message_id`` holds the media id."""
    return read(status, body, lambda d: dig(d, "id"), _error, retry_codes=RETRY_CODES)


def survey_of(survey: ev.SurveyAsk, body: str) -> dict[str, Any]:
    """Reply buttons for up to three answers, a list (up to ten rows) for more."""
    if len(survey.choices) <= BUTTONS_MAX:
        buttons = [
            {"type": "reply", "reply": {"id": c.reply_id, "title": c.title[:BUTTON_TITLE_MAX]}}
            for c in survey.choices
        ]
        return {"type": "button", "body": {"text": body}, "action": {"buttons": buttons}}
    rows = [{"id": c.reply_id, "title": c.title[:ROW_TITLE_MAX]} for c in survey.choices]
    section = {"title": "Your rating", "rows": rows[:ROWS_MAX]}
    action = {"button": "Rate us", "sections": [section]}
    return {"type": "list", "body": {"text": body}, "action": action}


def template_of(reply: ev.ReplyRequested) -> dict[str, Any]:
    """The Cloud API's template object: name, language, and the body's {{1}}..{{n}} values."""
    doc: dict[str, Any] = {
        "name": reply.template,
        "language": {"code": reply.template_language or DEFAULT_LANGUAGE},
    }
    if reply.template_params:
        values = [{"type": "text", "text": p} for p in reply.template_params]
        doc["components"] = [{"type": "body", "parameters": values}]
    return doc


def outcome(status: int, body: bytes) -> SendOutcome:
    return read(
        status,
        body,
        lambda d: dig(d, "messages", 0, "id"),
        _error,
        window_codes=WINDOW_CODES,
        retry_codes=RETRY_CODES,
    )


def _error(doc: Any) -> tuple[str | None, str]:
    code = dig(doc, "error", "code")
    return (str(code) if code is not None else None), str(dig(doc, "error", "message") or "")
