"""Twilio Messaging webhooks: form-encoded inbound messages and status callbacks."""

from __future__ import annotations

from dataclasses import dataclass

from hotline.kafka.errors import PermanentError
from hotline.twilio import Form, parse_form

__all__ = ["Form", "Inbound", "Status", "inbound", "parse_form", "status"]


@dataclass(frozen=True)
class Inbound:
    sid: str
    sender: str
    to: str
    body: str
    media: list[tuple[str, str]]  # (url, content type)


@dataclass(frozen=True)
class Status:
    sid: str
    status: str
    to: str
    error_code: str | None
    ours: str  # the sending number (``From``), else the AccountSid; "" when neither is given


def inbound(form: Form) -> Inbound:
    count = form.fields.get("NumMedia", "0")
    if not count.isdigit() or int(count) > 10:
        raise PermanentError("schema_mismatch", "Expected a count 0..10 - at `$.NumMedia`")
    media = [
        (form.need(f"MediaUrl{i}"), form.fields.get(f"MediaContentType{i}", ""))
        for i in range(int(count))
    ]
    return Inbound(
        form.need("MessageSid"),
        form.need("From"),
        form.need("To"),
        form.fields.get("Body", ""),
        media,
    )


def status(form: Form) -> Status:
    return Status(
        form.need("MessageSid"),
        form.need("MessageStatus"),
        form.fields.get("To", ""),
        form.fields.get("ErrorCode") or None,
        form.fields.get("From") or form.fields.get("AccountSid", ""),
    )
