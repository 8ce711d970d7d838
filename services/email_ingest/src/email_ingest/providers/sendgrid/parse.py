"""SendGrid Inbound Parse posts (pure) -> one ``Delivery``.

Raw mode ("POST the raw, full MIME message"): the ``email`` field is the message, bytes as they
are. Parsed mode: ``headers`` (the raw header block), ``text`` and ``html`` (each in the
charset ``charsets`` names), files ``attachment1``..N (``attachment-info`` gives their
content ids). Both modes: ``envelope`` (JSON, its ``to`` are the recipients) and, when spam
checking is on, ``spam_score`` against the "required" score in ``spam_report``.
"""

from __future__ import annotations

import json
from typing import Any

from email_ingest.headers import decode_bytes
from email_ingest.providers.delivery import Delivery, score_is_spam
from email_ingest.providers.form import Form
from email_ingest.providers.mime import File, ParsedMail, compose
from hotline.kafka.errors import PermanentError


def delivery(form: Form) -> Delivery:
    rcpts = tuple(str(r) for r in _envelope(form).get("to") or ())
    spam = score_is_spam(form.get("spam_score"), form.get("spam_report"))
    raw = form.raw("email")
    if raw is not None:
        return Delivery(raw, rcpts, spam)
    return Delivery(compose(_parsed(form)), rcpts, spam)


def _parsed(form: Form) -> ParsedMail:
    headers = form.raw("headers")
    if headers is None:
        raise PermanentError("malformed", "neither email (raw mode) nor headers (parsed mode)")
    charsets = _json_object(form.get("charsets"))
    text, html = _text(form, "text", charsets), _text(form, "html", charsets)
    return ParsedMail(header_pairs(headers), text, html, _files(form))


def header_pairs(block: bytes) -> list[tuple[str, str]]:
    """A raw header block -> (name, unfolded value) in order."""
    pairs: list[tuple[str, str]] = []
    for line in block.decode("utf-8", "replace").replace("\r\n", "\n").split("\n"):
        if line[:1] in (" ", "\t") and pairs:
            name, value = pairs[-1]
            pairs[-1] = (name, value + " " + line.strip())
        elif ":" in line:
            name, _, value = line.partition(":")
            pairs.append((name.strip(), value.strip()))
    return pairs


def _text(form: Form, name: str, charsets: dict[str, Any]) -> str | None:
    value = form.raw(name)
    if value is None:
        return None
    charset = charsets.get(name)
    return decode_bytes(value, charset if isinstance(charset, str) else "utf-8")


def _files(form: Form) -> list[File]:
    info = _json_object(form.get("attachment-info"))
    out = []
    for f in form.files():
        meta = info.get(f.name)
        cid = meta.get("content-id") if isinstance(meta, dict) else None
        ctype = f.content_type or "application/octet-stream"
        out.append(
            File(f.filename or f.name, ctype, f.value, cid if isinstance(cid, str) else None)
        )
    return out


def _envelope(form: Form) -> dict[str, Any]:
    env = _json_object(form.get("envelope"))
    to = env.get("to")
    return {"to": [t for t in to if isinstance(t, str)] if isinstance(to, list) else []}


def _json_object(raw: str | None) -> dict[str, Any]:
    if not raw:
        return {}
    try:
        doc = json.loads(raw)
    except ValueError as exc:
        raise PermanentError("malformed", f"a JSON field is not JSON: {exc}") from exc
    return doc if isinstance(doc, dict) else {}
