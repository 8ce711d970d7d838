"""CloudMailin posts (pure) -> one ``Delivery``.

Raw format (multipart/form-data): ``message`` is the whole mail, ``envelope[recipients][N]`` /
``envelope[to]`` its recipients. Normalized formats, as JSON or as multipart: ``headers``
(name -> value, or a list for repeated fields), ``plain``, ``html``, ``attachments`` (base64
``content`` with ``file_name``, ``content_type``, ``content_id``; attachments kept in an
attachment store arrive as a ``url`` only and are not fetched). CloudMailin gives no spam
verdict."""

from __future__ import annotations

import base64
import binascii
from typing import Any

import msgspec

from email_ingest.providers.delivery import Delivery
from email_ingest.providers.form import Form, parse_form
from email_ingest.providers.mime import File, ParsedMail, compose
from hotline.kafka.errors import PermanentError


class S(msgspec.Struct, forbid_unknown_fields=False):
    pass


class Envelope(S):
    to: str = ""
    recipients: list[str] = []


class Attachment(S):
    file_name: str = "attachment"
    content_type: str = "application/octet-stream"
    content: str | None = None
    content_id: str | None = None


class Normalized(S):
    headers: dict[str, str | list[str]] = {}
    envelope: Envelope = msgspec.field(default_factory=Envelope)
    plain: str | None = None
    html: str | None = None
    attachments: list[Attachment] = []


_json = msgspec.json.Decoder(Normalized)


def delivery(body: bytes, content_type: str) -> Delivery:
    if content_type.split(";", maxsplit=1)[0].strip().lower() == "application/json":
        return from_json(body)
    return from_form(parse_form(body, content_type))


def from_json(body: bytes) -> Delivery:
    try:
        doc = _json.decode(body)
    except msgspec.DecodeError as exc:
        raise PermanentError("malformed", f"not CloudMailin JSON: {exc}") from exc
    files = [_file(a) for a in doc.attachments if a.content is not None]
    mail = ParsedMail(_pairs(doc.headers), doc.plain, doc.html, files)
    return Delivery(compose(mail), _rcpts(doc.envelope.recipients, doc.envelope.to))


def from_form(form: Form) -> Delivery:
    recipients = [v for k, v in form.pairs() if k.startswith("envelope[recipients]")]
    rcpts = _rcpts(recipients, form.get("envelope[to]") or "")
    raw = next((f.value for f in form.fields if f.name == "message"), None)
    if raw is not None:
        return Delivery(raw, rcpts)
    headers = [(k[len("headers[") : -1], v) for k, v in form.pairs() if k.startswith("headers[")]
    if not headers:
        raise PermanentError("malformed", "neither message (raw) nor headers[...] (normalized)")
    files = [
        File(f.filename or "attachment", f.content_type or "application/octet-stream", f.value)
        for f in form.files()
        if f.name.startswith("attachments[")
    ]
    return Delivery(compose(ParsedMail(headers, form.get("plain"), form.get("html"), files)), rcpts)


def _pairs(headers: dict[str, Any]) -> list[tuple[str, str]]:
    """Normalized names (lower-case, ``message_id``) back to field names (``message-id``)."""
    out: list[tuple[str, str]] = []
    for name, value in headers.items():
        field = name.replace("_", "-")
        out.extend((field, v) for v in (value if isinstance(value, list) else [value]))
    return out


def _rcpts(recipients: list[str], to: str) -> tuple[str, ...]:
    return tuple(recipients) if recipients else ((to,) if to else ())


def _file(a: Attachment) -> File:
    try:
        data = base64.b64decode(a.content or "", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise PermanentError("malformed", "attachment content is not base64") from exc
    return File(a.file_name, a.content_type, data, a.content_id)
