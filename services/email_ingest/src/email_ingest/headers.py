"""Header decoding, only for the headers we use: RFC 2047 words, RFC 2231 parameters, charsets.

Never raises on bad input: an unknown or lying charset falls back to UTF-8, then to a
replacement-character decode, so a broken header yields readable text, not a crash.
"""

from __future__ import annotations

import binascii
import codecs
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import unquote_to_bytes

# Common mislabels mapped to the superset codecs that real mail needs.
_ALIASES = {
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "euc-kr": "cp949",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "iso-2022-jp": "iso2022_jp_ext",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "utf-8",
    "ascii": "utf-8",
    "utf8": "utf-8",
    "x-unknown": "utf-8",
    "unknown-8bit": "utf-8",
}
_SINGLE_BYTE = frozenset({"cp1252", "iso8859-15", "latin-1", "iso8859-2"})
_CODEC_CACHE: dict[str, str | None] = {}
_ENCODED_WORD = re.compile(rb"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_BETWEEN_WORDS = re.compile(rb"\?=[ \t]+=\?")
_PARAM = re.compile(r';\s*([^\s=;]+)\s*=\s*("(?:[^"\\]|\\.)*"?|[^;]*)')
_CONTINUATION = re.compile(r"^(.+?)\*(\d+)(\*?)$")


def codec_for(charset: str | None) -> str | None:
    """The Python codec for a MIME charset label, or None when unknown."""
    label = (charset or "").strip().strip("\"'").lower()
    if label in _CODEC_CACHE:
        return _CODEC_CACHE[label]
    name = _ALIASES.get(label, label)
    try:
        found: str | None = codecs.lookup(name).name if 0 < len(name) <= 40 else None
    except (LookupError, ValueError):  # unknown, or junk such as an embedded NUL
        found = None
    if len(_CODEC_CACHE) < 512:  # hostile labels must not grow the cache without bound
        _CODEC_CACHE[label] = found
    return found


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Decode with the declared charset; UTF-8, then replacement characters as fallbacks."""
    codec = codec_for(charset)
    if codec is None and b"\x1b$" in data:
        codec = "iso2022_jp_ext"  # undeclared ISO-2022-JP is recognisable by its escapes
    first = ("utf-8", codec) if codec in _SINGLE_BYTE and not data.isascii() else (codec, "utf-8")
    for candidate in first:  # valid UTF-8 labelled Latin-1 is a mislabel, not Latin-1
        if candidate:
            try:
                return data.decode(candidate)
            except (UnicodeDecodeError, LookupError):
                continue
    fallback = "cp1252" if codec in (None, "utf-8") else codec
    return data.decode(fallback, errors="replace")


def raw_text(value: bytes) -> str:
    """A raw header value as text: RFC 6532 UTF-8, else Windows-1252 (never fails)."""
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("cp1252", errors="replace")


def decode_words(value: bytes) -> str:
    """Decode RFC 2047 encoded words; adjacent words of one charset are joined before decoding."""
    if b"=?" not in value:
        return raw_text(value)
    value = _BETWEEN_WORDS.sub(b"?==?", value)
    out: list[str] = []
    pending: list[bytes] = []
    pending_cs = ""
    pos = 0
    for m in _ENCODED_WORD.finditer(value):
        charset = m.group(1).decode("latin-1").split("*")[0]
        if m.start() > pos or charset != pending_cs:
            out.append(decode_bytes(b"".join(pending), pending_cs) if pending else "")
            out.append(raw_text(value[pos : m.start()]))
            pending, pending_cs = [], charset
        pending.append(_word_bytes(m.group(2), m.group(3)))
        pos = m.end()
    out.append(decode_bytes(b"".join(pending), pending_cs) if pending else "")
    out.append(raw_text(value[pos:]))
    return "".join(out)


def _word_bytes(kind: bytes, text: bytes) -> bytes:
    if kind in (b"q", b"Q"):
        return binascii.a2b_qp(text, header=True)
    try:
        return binascii.a2b_base64(text + b"=" * (-len(text) % 4))
    except binascii.Error:
        return text


def parse_params(value: str) -> tuple[str, dict[str, str]]:
    """``type/sub; a=b; name*0*=utf-8''..`` -> ("type/sub", {"a": "b", "name": ...})."""
    main, _, rest = value.partition(";")
    raw: dict[str, str] = {}
    for m in _PARAM.finditer(";" + rest):
        name, val = m.group(1).lower(), m.group(2).strip()
        if val.startswith('"'):
            val = val[1:-1] if val.endswith('"') and len(val) > 1 else val[1:]
            val = val.replace('\\"', '"').replace("\\\\", "\\")
        raw.setdefault(name, val)
    return main.strip().lower(), _collapse_rfc2231(raw)


def _collapse_rfc2231(raw: dict[str, str]) -> dict[str, str]:
    params: dict[str, str] = {}
    segments: dict[str, list[tuple[int, str, bool]]] = {}
    for name, val in raw.items():
        m = _CONTINUATION.match(name)
        if m:
            segments.setdefault(m.group(1), []).append((int(m.group(2)), val, bool(m.group(3))))
        elif name.endswith("*"):
            params[name[:-1]] = _rfc2231_value([(0, val, True)])
        else:
            params.setdefault(name, val)
    for name, segs in segments.items():
        params[name] = _rfc2231_value(sorted(segs))
    return params


def _rfc2231_value(segs: list[tuple[int, str, bool]]) -> str:
    charset = ""
    chunks: list[bytes] = []
    for i, (_, segment, encoded) in enumerate(segs):
        val = segment
        if encoded and i == 0 and val.count("'") >= 2:
            charset, _, val = val.split("'", 2)
        chunks.append(unquote_to_bytes(val) if encoded else val.encode("utf-8"))
    return decode_bytes(b"".join(chunks), charset or "utf-8")


def message_ids(value: bytes | None) -> list[str]:
    """``<a@b>`` tokens in order, skipping invalid entries (one bad entry must not lose all)."""
    if not value:
        return []
    out = []
    for token in re.findall(rb"<([^<>\s]+@[^<>\s]+)>", value):
        out.append("<" + token.decode("utf-8", errors="replace") + ">")
    return out


def parse_date(value: bytes | None) -> datetime | None:
    """The Date header as an aware datetime (UTC when no zone), None when unparseable."""
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(raw_text(value).strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
