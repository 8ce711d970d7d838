"""Postmark's inbound JSON (pure) -> one ``Delivery``: ``RawEmail`` as it is when the server
includes it, else the mail rebuilt from ``FromFull``/``ToFull``/``CcFull``, ``Subject``, ``Date``,
``ReplyTo``, ``Headers`` (the rest of the original header fields, ``Message-ID`` among them),
``TextBody``, ``HtmlBody`` and ``Attachments`` (base64). Spam: SpamAssassin's
``X-Spam-Status: Yes`` in ``Headers``."""

from __future__ import annotations

import base64
import binascii

import msgspec

from email_ingest.providers.delivery import Delivery, spam_status_says_spam
from email_ingest.providers.mime import File, ParsedMail, address, compose
from hotline.kafka.errors import PermanentError


class S(msgspec.Struct, rename="pascal", forbid_unknown_fields=False):
    pass


class Who(S):
    email: str = ""
    name: str = ""


class Header(S):
    name: str
    value: str = ""


class Attachment(S):
    name: str = "attachment"
    content: str = ""
    content_type: str = "application/octet-stream"
    content_id: str = ""


class Inbound(S):
    from_full: Who | None = None
    to_full: list[Who] = []
    cc_full: list[Who] = []
    reply_to: str = ""
    subject: str = ""
    date: str = ""
    original_recipient: str = ""
    headers: list[Header] = []
    text_body: str | None = None
    html_body: str | None = None
    attachments: list[Attachment] = []
    raw_email: str | None = None


_decoder = msgspec.json.Decoder(Inbound)


def parse(body: bytes) -> Inbound:
    try:
        return _decoder.decode(body)
    except msgspec.DecodeError as exc:
        raise PermanentError("malformed", f"not Postmark inbound JSON: {exc}") from exc


def delivery(m: Inbound) -> Delivery:
    status = next((h.value for h in m.headers if h.name.lower() == "x-spam-status"), None)
    spam = spam_status_says_spam(status)
    rcpts = (m.original_recipient,) if m.original_recipient else ()
    if m.raw_email:
        return Delivery(m.raw_email.encode("utf-8", "surrogateescape"), rcpts, spam)
    mail = ParsedMail(_headers(m), m.text_body, m.html_body or None, _files(m))
    return Delivery(compose(mail), rcpts, spam)


def _headers(m: Inbound) -> list[tuple[str, str]]:
    top = [
        ("From", address(m.from_full.name, m.from_full.email) if m.from_full else ""),
        ("To", ", ".join(address(w.name, w.email) for w in m.to_full)),
        ("Cc", ", ".join(address(w.name, w.email) for w in m.cc_full)),
        ("Reply-To", m.reply_to),
        ("Subject", m.subject),
        ("Date", m.date),
    ]
    named = {n.lower() for n, v in top if v}
    rest = [(h.name, h.value) for h in m.headers if h.name.lower() not in named]
    return [(n, v) for n, v in top if v] + rest


def _files(m: Inbound) -> list[File]:
    return [
        File(a.name, a.content_type, _b64(a.content), a.content_id or None) for a in m.attachments
    ]


def _b64(data: str) -> bytes:
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise PermanentError("malformed", "attachment content is not base64") from exc
