"""Bodies: transfer decoding, charset decoding, HTML to readable text (the visible reply is
`visible.py`)."""

from __future__ import annotations

import binascii
import html
import re

from email_ingest.headers import decode_bytes
from email_ingest.parse import Part

_DROPPED = (
    ("<!--", "-->"),
    ("<script", "</script>"),
    ("<style", "</style>"),
    ("<head>", "</head>"),
)
_BREAKS = re.compile(r"<(?:br|/p|/div|/tr|/li|/h[1-6]|/blockquote|p|div|li|tr)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]*>")
_BLANKS = re.compile(r"\n[ \t]*(?:\n[ \t]*){2,}")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


def transfer_decode(part: Part) -> bytes:
    """The part's bytes with Content-Transfer-Encoding undone (lenient, never raises)."""
    cte = (part.get("content-transfer-encoding") or b"").strip().lower()
    data = part.body
    if cte == b"base64":
        return _base64(data)
    if cte in (b"quoted-printable", b"qp"):
        return binascii.a2b_qp(data)
    if cte in (b"x-uuencode", b"uuencode", b"x-uue"):
        return _uudecode(data)
    return data


def _base64(data: bytes) -> bytes:
    try:
        return binascii.a2b_base64(data)
    except binascii.Error:
        clean = re.sub(rb"[^A-Za-z0-9+/]", b"", data)
        clean = clean[: len(clean) - len(clean) % 4]
        return binascii.a2b_base64(clean)


def _uudecode(data: bytes) -> bytes:
    out = bytearray()
    for line in data.split(b"\n"):
        if line.startswith((b"begin ", b"end")) or not line.strip():
            continue
        try:
            out += binascii.a2b_uu(line)
        except binascii.Error:
            continue
    return bytes(out)


def part_text(part: Part) -> str:
    text = decode_bytes(transfer_decode(part), part.params.get("charset"))
    return text.replace("\r\n", "\n").replace("\r", "\n")


def html_to_text(markup: str) -> str:
    """Readable text from HTML: linear regexes only (no backtracking blow-ups)."""
    for opener, closer in _DROPPED:
        markup = _cut_between(markup, opener, closer)
    markup = _BREAKS.sub("\n", markup)
    text = html.unescape(_TAG.sub("", markup))
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANKS.sub("\n\n", text).strip()


def _cut_between(markup: str, opener: str, closer: str) -> str:
    """Remove opener..closer spans in one linear pass (an unclosed opener cuts to the end)."""
    lower = markup.lower()
    out, pos = [], 0
    while (start := lower.find(opener, pos)) >= 0:
        out.append(markup[pos:start])
        stop = lower.find(closer, start)
        pos = len(markup) if stop < 0 else stop + len(closer)
    out.append(markup[pos:])
    return "".join(out)
