"""A webhook request as data (pure): what an edge received, or a raw HTTP capture read from a
file (request line, headers, blank line, body) for ``hotline normalize <channel> FILE``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

_REQUEST_LINE = re.compile(rb"^([A-Z]{3,10}) (\S+) HTTP/\d(?:\.\d)?\r?$")


class CaptureError(ValueError):
    """The bytes are not a raw HTTP request capture."""


@dataclass(frozen=True)
class HttpRequest:
    method: str
    url: str  # absolute: scheme://host/path?query
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def query(self) -> dict[str, str]:
        return dict(parse_qsl(urlsplit(self.url).query, keep_blank_values=True))

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


def is_capture(data: bytes) -> bool:
    first = data.split(b"\n", 1)[0]
    return _REQUEST_LINE.match(first) is not None


def parse_capture(data: bytes, scheme: str = "https") -> HttpRequest:
    """``POST /path HTTP/1.1`` + headers + blank line + body (CRLF or LF). The URL is built from
    the ``Host`` header (``X-Forwarded-Proto`` gives the scheme when present); the body is
    everything after the blank line, de-chunked when ``Transfer-Encoding: chunked``."""
    head, sep, body = _split_head(data)
    lines = head.split(b"\n")
    m = _REQUEST_LINE.match(lines[0])
    if m is None or not sep:
        raise CaptureError("not an HTTP request capture (request line, headers, blank line)")
    headers = _headers(lines[1:])
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = _dechunk(body)
    target = m.group(2).decode("latin-1")
    scheme = headers.get("x-forwarded-proto", scheme)
    url = target if "://" in target else f"{scheme}://{headers.get('host', 'localhost')}{target}"
    return HttpRequest(m.group(1).decode(), url, headers, body)


def _headers(lines: list[bytes]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for raw in lines:
        name, colon, value = raw.decode("latin-1").rstrip("\r").partition(":")
        if not colon or not name.strip():
            raise CaptureError(f"bad header line {raw[:60]!r}")
        headers[name.strip().lower()] = value.strip()
    return headers


def _split_head(data: bytes) -> tuple[bytes, bytes, bytes]:
    crlf, lf = data.find(b"\r\n\r\n"), data.find(b"\n\n")
    if crlf != -1 and (lf == -1 or crlf < lf):
        head, body = data[:crlf], data[crlf + 4 :]
        return head.replace(b"\r\n", b"\n"), b"\n\n", body
    head, sep, body = data.partition(b"\n\n")
    return head, sep, body


def _dechunk(body: bytes) -> bytes:
    out, i = bytearray(), 0
    while True:
        end = body.find(b"\n", i)
        if end == -1:
            raise CaptureError("truncated chunked body")
        size = int(body[i:end].split(b";")[0].strip() or b"0", 16)
        if size == 0:
            return bytes(out)
        out += body[end + 1 : end + 1 + size]
        i = end + 1 + size
        i += 2 if body[i : i + 2] == b"\r\n" else 1
