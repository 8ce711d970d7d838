"""Rebuild a raw RFC 5322 message from a provider's parsed fields (pure), so parsed-mode posts
take the same ``email_ingest.normalize`` path as raw MIME.

The original header fields are kept in order (their values as the provider gave them, UTF-8 as
RFC 6532 allows), except those that describe the original body's structure (Content-Type,
Content-Transfer-Encoding, MIME-Version), which no longer apply: the body is rebuilt as
``multipart/mixed`` [``multipart/alternative`` [text, html], attachments...], every part
base64-encoded, or a single text part when there is nothing else.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from email.utils import encode_rfc2231, formataddr

_STRUCTURAL = frozenset({"content-type", "content-transfer-encoding", "mime-version"})


@dataclass(frozen=True)
class File:
    filename: str
    content_type: str
    data: bytes
    content_id: str | None = None  # for inline images referenced by cid: in the HTML


@dataclass
class ParsedMail:
    headers: list[tuple[str, str]]
    text: str | None = None
    html: str | None = None
    files: list[File] = field(default_factory=list)


def compose(mail: ParsedMail) -> bytes:
    kept = [(n, v) for n, v in mail.headers if n.strip().lower() not in _STRUCTURAL]
    head = b"".join(_header(n, v) for n, v in kept) + b"MIME-Version: 1.0\r\n"
    return head + _body(mail)


def _header(name: str, value: str) -> bytes:
    clean = " ".join(value.replace("\r", "\n").split("\n"))  # one line: no header injection
    return f"{name.strip()}: {clean.strip()}\r\n".encode()


def _body(mail: ParsedMail) -> bytes:
    texts = [("text/plain", mail.text), ("text/html", mail.html)]
    leaves = [_text_part(ctype, value) for ctype, value in texts if value is not None]
    if not leaves:
        leaves = [_text_part("text/plain", "")]
    alternative = leaves[0] if len(leaves) == 1 else _multipart("alternative", leaves)
    if not mail.files:
        return alternative
    return _multipart("mixed", [alternative, *(_file_part(f) for f in mail.files)])


def _text_part(ctype: str, value: str) -> bytes:
    data = value.encode("utf-8", "surrogatepass")
    head = f"Content-Type: {ctype}; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    return head.encode() + _base64(data)


def _file_part(f: File) -> bytes:
    disposition = "inline" if f.content_id else "attachment"
    name = _param("filename", f.filename)
    lines = [
        f"Content-Type: {_one_line(f.content_type) or 'application/octet-stream'}",
        f"Content-Disposition: {disposition}; {name}",
        "Content-Transfer-Encoding: base64",
    ]
    if f.content_id:
        lines.append(f"Content-ID: <{_one_line(f.content_id).strip('<>')}>")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + _base64(f.data)


def _multipart(subtype: str, parts: list[bytes]) -> bytes:
    boundary = "hotline-" + hashlib.sha256(b"".join(parts)).hexdigest()[:32]
    head = f'Content-Type: multipart/{subtype}; boundary="{boundary}"\r\n\r\n'.encode()
    delim = f"--{boundary}\r\n".encode()
    return head + b"".join(delim + p + b"\r\n" for p in parts) + f"--{boundary}--\r\n".encode()


def _param(name: str, value: str) -> str:
    value = _one_line(value)
    if value.isascii() and '"' not in value and "\\" not in value:
        return f'{name}="{value}"'
    return f"{name}*={encode_rfc2231(value, 'utf-8')}"


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _base64(data: bytes) -> bytes:
    encoded = base64.b64encode(data)
    return b"".join(encoded[i : i + 76] + b"\r\n" for i in range(0, len(encoded), 76))


def address(name: str | None, email: str) -> str:
    """``Name <email>`` with the name RFC 2047-encoded when it is not ASCII."""
    return formataddr((name or "", email), charset="utf-8") if email else ""
