"""Mailgun forward() posts (pure): the form's fields -> the signature fields and one
``Delivery``. Raw mode (a URL ending in ``mime``) posts ``body-mime``; parsed mode posts
``message-headers`` (a JSON list of [name, value]), ``body-plain``, ``body-html`` and the files
``attachment-1``..``attachment-N`` (``content-id-map`` names the inline ones)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from email_ingest.providers.delivery import Delivery
from email_ingest.providers.form import Form
from email_ingest.providers.mime import File, ParsedMail, compose
from hotline.kafka.errors import PermanentError


@dataclass(frozen=True)
class Signed:
    timestamp: str | None
    token: str | None
    signature: str | None


def signed(form: Form) -> Signed:
    return Signed(form.get("timestamp"), form.get("token"), form.get("signature"))


def delivery(form: Form) -> Delivery:
    headers = _headers(form)
    rcpts = tuple(r.strip() for r in (form.get("recipient") or "").split(",") if r.strip())
    flag = form.get("X-Mailgun-Sflag") or _first(headers, "x-mailgun-sflag") or ""
    spam = flag.strip().lower() == "yes"
    mime = form.raw("body-mime")
    if mime is not None:
        return Delivery(mime, rcpts, spam)
    if not headers:
        raise PermanentError("malformed", "neither body-mime nor message-headers")
    mail = ParsedMail(headers, form.get("body-plain"), form.get("body-html"), _files(form))
    return Delivery(compose(mail), rcpts, spam)


def _headers(form: Form) -> list[tuple[str, str]]:
    raw = form.get("message-headers")
    if raw is None:
        return []
    try:
        pairs = json.loads(raw)
    except ValueError as exc:
        raise PermanentError("malformed", f"message-headers is not JSON: {exc}") from exc
    if not isinstance(pairs, list) or not all(_is_pair(p) for p in pairs):
        raise PermanentError("malformed", "message-headers must be a list of [name, value]")
    return [(str(n), str(v)) for n, v in pairs]


def _is_pair(p: object) -> bool:
    return isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p)


def _first(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((v for n, v in headers if n.lower() == name), None)


def _files(form: Form) -> list[File]:
    cids = _content_ids(form.get("content-id-map"))
    return [
        File(
            f.filename or f.name,
            f.content_type or "application/octet-stream",
            f.value,
            cids.get(f.name),
        )
        for f in form.files()
        if f.name.startswith("attachment-")
    ]


def _content_ids(raw: str | None) -> dict[str, str]:
    try:
        doc = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return {v: k for k, v in doc.items() if isinstance(v, str)} if isinstance(doc, dict) else {}
