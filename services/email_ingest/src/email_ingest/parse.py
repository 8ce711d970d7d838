"""Structural MIME parse with hard caps (pure, no I/O).

The stdlib's structured header parser is the slow part of email handling (~1-3 ms per small
mail) and has known quadratic paths, so this module only finds the structure: header blocks,
multipart boundaries and nested ``message/rfc822`` parts. Bodies stay as offsets into one
buffer until someone decodes them, and only the headers a caller asks for are ever decoded.

Hostile input becomes a ``PermanentError`` with a specific reason: MIME nesting deeper than
100, a header block over 100 KB, more than 1,000 parts, or a walk over its CPU budget.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from email_ingest.headers import parse_params
from hotline.kafka.errors import PermanentError

MAX_DEPTH = 100
MAX_HEADER_BYTES = 100 * 1024
MAX_PARTS = 1000
CPU_BUDGET_S = 2.0
_WS = b" \t"
_BLANK_LINES = re.compile(rb"(?:[ \t]*\n)+")


@dataclass
class Part:
    """One MIME entity: unfolded raw headers plus the [start, end) span of its body in ``src``."""

    src: bytes
    headers: list[tuple[str, bytes]]
    start: int
    end: int
    depth: int
    ctype: str = "text/plain"
    params: dict[str, str] = field(default_factory=dict)
    children: list[Part] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)

    def get(self, name: str) -> bytes | None:
        name = name.lower()
        for key, value in self.headers:
            if key == name:
                return value
        return None

    def get_all(self, name: str) -> list[bytes]:
        name = name.lower()
        return [value for key, value in self.headers if key == name]

    @property
    def body(self) -> bytes:
        return self.src[self.start : self.end]

    @property
    def size(self) -> int:
        return self.end - self.start

    def walk(self) -> list[Part]:
        out = [self]
        for child in self.children:
            out.extend(child.walk())
        return out


class _Budget:
    def __init__(self, cpu_s: float) -> None:
        self.deadline = time.process_time() + cpu_s
        self.parts = 0

    def tick(self) -> None:
        self.parts += 1
        if self.parts > MAX_PARTS:
            raise PermanentError("too_many_parts", f"more than {MAX_PARTS} MIME parts")
        if time.process_time() > self.deadline:
            raise PermanentError("cpu_budget_exceeded", "MIME walk over its CPU budget")


def parse(raw: bytes, cpu_s: float = CPU_BUDGET_S) -> Part:
    """Parse a whole message (CRLF or LF line ends) into its MIME tree."""
    if not raw.strip():
        raise PermanentError("empty_message", "no headers and no body")
    src = raw.replace(b"\r\n", b"\n") if b"\r\n" in raw else raw
    return _entity(src, _leading_junk(src), len(src), 0, _Budget(cpu_s))


def _leading_junk(src: bytes) -> int:
    """Blank lines before the first header (seen in saved Exchange DSNs) are skipped."""
    m = _BLANK_LINES.match(src)
    if not m or not m.end():
        return 0
    line_end = src.find(b"\n", m.end(), m.end() + MAX_HEADER_BYTES)
    first = src[m.end() : line_end if line_end >= 0 else len(src)]
    return m.end() if _looks_like_header(first) else 0


def _entity(src: bytes, start: int, end: int, depth: int, budget: _Budget) -> Part:
    if depth > MAX_DEPTH:
        raise PermanentError("mime_too_deep", f"MIME nesting deeper than {MAX_DEPTH}")
    budget.tick()
    headers, body_start = _headers(src, start, end)
    part = Part(src, headers, body_start, end, depth)
    ctype_raw = part.get("content-type")
    if ctype_raw is not None:
        part.ctype, part.params = parse_params(ctype_raw.decode("latin-1"))
        if "/" not in part.ctype:
            part.defects.append("invalid_content_type")
            part.ctype = "text/plain"
    if part.ctype.startswith("multipart/"):
        _split(part, budget)
    elif part.ctype == "message/rfc822" and _transfer_is_identity(part):
        part.children.append(_entity(src, body_start, end, depth + 1, budget))
    return part


def _transfer_is_identity(part: Part) -> bool:
    cte = (part.get("content-transfer-encoding") or b"").strip().lower()
    return cte in (b"", b"7bit", b"8bit", b"binary")


def _headers(src: bytes, start: int, end: int) -> tuple[list[tuple[str, bytes]], int]:
    """Unfolded (lower-case name, raw value) pairs and where the body starts."""
    if src.startswith(b"\n", start):  # no headers at all: the entity is all body
        return [], start + 1
    stop = src.find(b"\n\n", start, min(end, start + MAX_HEADER_BYTES + 2))
    capped = stop < 0 and end - start > MAX_HEADER_BYTES
    if stop < 0:
        stop = min(end, start + MAX_HEADER_BYTES)
    lines = src[start:stop].split(b"\n")
    headers, used = _fold(lines)
    if used < len(lines):  # a non-header line: the body starts there (a defect, tolerated)
        return headers, start + sum(len(x) + 1 for x in lines[:used])
    if capped:
        raise PermanentError("header_too_large", f"header block over {MAX_HEADER_BYTES} B")
    return headers, min(stop + 2, end)


def _fold(lines: list[bytes]) -> tuple[list[tuple[str, bytes]], int]:
    headers: list[tuple[str, bytes]] = []
    for i, line in enumerate(lines):
        if line[:1] in (b" ", b"\t") and headers:
            key, value = headers[-1]
            headers[-1] = (key, value + b" " + line.strip(_WS))
            continue
        name, colon, value = line.partition(b":")
        if i == 0 and line.startswith(b"From "):  # mbox separator line
            continue
        if not colon or not name or b" " in name.strip(_WS):
            if i + 1 < len(lines) and _looks_like_header(lines[i + 1]):
                continue  # a junk line inside the header block: skip it, keep going
            return headers, i
        headers.append((name.strip(_WS).decode("latin-1").lower(), value.strip(_WS)))
    return headers, len(lines)


def _looks_like_header(line: bytes) -> bool:
    name, colon, _ = line.partition(b":")
    return bool(colon and name.strip(_WS)) and b" " not in name.strip(_WS)


def _split(part: Part, budget: _Budget) -> None:
    boundary = part.params.get("boundary", "").strip()
    if not boundary:
        part.defects.append("multipart_without_boundary")
        return
    spans, closed = _spans(part.src, part.start, part.end, b"--" + boundary.encode("latin-1"))
    if not spans:
        part.defects.append("boundary_not_found")
        return
    if not closed:
        part.defects.append("missing_close_delimiter")
    for s, e in spans:
        part.children.append(_entity(part.src, s, e, part.depth + 1, budget))


def _spans(src: bytes, start: int, end: int, delim: bytes) -> tuple[list[tuple[int, int]], bool]:
    """Body spans between delimiter lines; True when the closing delimiter was seen."""
    spans: list[tuple[int, int]] = []
    open_at = -1
    for pos, closing in _delimiters(src, start, end, delim):
        if open_at >= 0:
            spans.append((open_at, max(open_at, pos - 1)))
        if closing:
            return spans, True
        eol = src.find(b"\n", pos, end)
        open_at = end if eol < 0 else eol + 1
    if open_at >= 0:
        spans.append((open_at, end))
    return spans, False


def _delimiters(src: bytes, start: int, end: int, delim: bytes) -> list[tuple[int, bool]]:
    found: list[tuple[int, bool]] = []
    pos = src.find(delim, start, end)
    while pos >= 0:
        after = pos + len(delim)
        at_line_start = pos == start or src[pos - 1] == 0x0A
        tail = src[after : after + 2]
        if at_line_start and tail == b"--":
            found.append((pos, True))
            return found
        if at_line_start and (not tail or tail[:1] in b" \t\n\r"):
            found.append((pos, False))
            if len(found) > MAX_PARTS:
                raise PermanentError("too_many_parts", f"more than {MAX_PARTS} MIME parts")
        pos = src.find(delim, after, end)
    return found
