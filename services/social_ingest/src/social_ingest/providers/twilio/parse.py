"""Twilio Messaging webhooks: form-encoded inbound messages and status callbacks."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl

from hotline.kafka.errors import PermanentError

MAX_FIELDS = 200


@dataclass(frozen=True)
class Form:
    pairs: list[tuple[str, str]]  # as sent, for the signature
    fields: dict[str, str]

    def need(self, name: str) -> str:
        value = self.fields.get(name, "")
        if not value:
            raise PermanentError(
                "schema_mismatch", f"Object missing required field - at `$.{name}`"
            )
        return value


def parse_form(body: bytes) -> Form:
    """application/x-www-form-urlencoded -> pairs; anything else is malformed (400)."""
    try:
        text = body.decode("utf-8")
        pairs = parse_qsl(
            text, keep_blank_values=True, strict_parsing=bool(text), max_num_fields=MAX_FIELDS
        )
    except (UnicodeDecodeError, ValueError) as exc:
        raise PermanentError("malformed", f"not a form body: {exc}") from exc
    return Form(pairs, dict(pairs))


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
