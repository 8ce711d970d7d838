"""The visible reply: what the sender wrote in this mail, without quoted history or signature.

From the top, the first of these markers with the sender's own text above it ends the reply:
an attribution ("On … wrote:" and its equivalents in many languages, also wrapped over several
lines; `attribution.py`), an Outlook header block ("From: … Sent: …", "Von: … Gesendet: …",
…), an "Original Message"/forwarded separator, or a rule right above such a block. The same
ends it at a "-- " delimiter or a device line ("Sent from my iPhone"). Exceptions, which keep
what the sender typed:

- a marker with nothing above it (the mail starts with an attribution or a printed header
  block) is dropped with the quote right below it, and the text after it stays;
- an attribution followed by a quote and then more of the sender's text is an inline reply:
  the attribution goes, the quote (the questions) and the answers stay;
- a block of quoted lines that runs to the end goes; a closing ("Thanks,\nJan") stays;
- if nothing is left, the full text is the visible text.

Cost: the reply is at the top, so only the first ``VISIBLE_SCAN`` characters and at most
``_MAX_CANDIDATES`` lines that pass cheap string tests (an early colon, an address, a special
first or last character, a device word) ever reach a regex; plain lines cost a few string
operations each.

Why our own rules and not mail-parser-reply alone, nor the library first with ours for what it
misses, nor ours with the library as a fallback (all scored on the reply-quotes corpus, table
in the README): the library strips every line's indentation (code, bullets), cuts closings
such as "Thanks," or "-Name" as signatures, has no Russian, Portuguese or Finnish patterns,
misses wrapped and one-line-with-name attributions in several languages, and cannot keep
inline answers; every combination scored below our rules alone. Its per-language header and
signature patterns were the starting point for ``quote_patterns``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from email_ingest.attribution import WRAP, attribution
from email_ingest.quote_patterns import (
    DEVICE,
    DEVICE_WORDS,
    FROM_KEY,
    HEADER_KEY,
    LONG_UNDERSCORES,
    QUOTED,
    RULE,
    SEPARATOR,
    SUBJECT_KEY,
)

VISIBLE_SCAN = 100_000  # the reply is at the top: bound the work on huge bodies
_HEADER_WINDOW = 8  # lines an Outlook header block may span (wrapped values included)
_MAX_CANDIDATES = 300  # lines examined at most: the reply is at the top
_WRAPPED_END = (":", "：", "wrote")  # how the last line of a wrapped attribution ends
_RULE_CHARS = frozenset("*_=-")  # first characters of rules, separators, "--", "*From:*"
_LAST = (":", "：", "<", "wrote")  # the ends of (wrapped) attributions
_INVISIBLE = " \t\u00a0\u200b\ufeff\u1427"  # Gmail's "ᐧ" tracking mark, zero-width spaces


def visible_text(text: str) -> str:
    text = text[:VISIBLE_SCAN]
    lines = text.split("\n")
    kept = _before_trailing_quote(_Scan(lines).reply(_candidates(lines)))
    while kept and not kept[-1].strip(_INVISIBLE):
        kept.pop()
    visible = "\n".join(kept).strip("\n")
    return visible if visible.strip() else text.strip()


def _candidates(lines: list[str]) -> list[int]:
    """Numbers of the lines a marker or a signature may be on: cheap string tests, so that
    plain lines cost no regex."""
    return [
        i
        for i, line in enumerate(lines)
        if line.lstrip()[:1] in _RULE_CHARS
        or line.lstrip(" >")[:4].isdigit()
        or line.rstrip().endswith(_LAST)
        or "@" in line
        or ":" in line[:40]
        or "：" in line
        or line.lstrip()[:14].lower().startswith(DEVICE_WORDS)
    ]


@dataclass
class _Scan:
    """Walks the candidate lines from the top, dropping markers, until the history starts."""

    lines: list[str]
    cursor: int = 0  # the lines above it are decided
    has_text: bool = False  # the sender's own text was seen
    dropped: list[range] = field(default_factory=list)
    wrapped: dict[int, int] = field(default_factory=dict)  # line -> attribution span from it

    def reply(self, candidates: list[int]) -> list[str]:
        for c in candidates[:_MAX_CANDIDATES]:
            if c >= self.cursor and (end := self._step(c)) is not None:
                return self._kept(end)
        return self._kept(len(self.lines))

    def _step(self, c: int) -> int | None:
        """Where the reply ends if it ends at candidate line c; None: go on."""
        if _is_signature(self.lines[c]) and self._text_above(c):
            return c
        start, span, attribution = _marker_at(self.lines, c, self.cursor, self.wrapped)
        if not span:
            return None
        if not self._text_above(start):  # nothing above: the client's, drop it and its quote
            self._drop(start, _skip_quote(self.lines, start + span))
        elif attribution and _inline_follows(self.lines, start + span):
            self._drop(start, start + span)  # interleaved answers follow: keep them and the quote
        else:
            return start
        return None

    def _text_above(self, i: int) -> bool:
        if not self.has_text:
            self.has_text = any(line.strip() for line in self.lines[self.cursor : i])
        return self.has_text

    def _drop(self, start: int, end: int) -> None:
        self.dropped.append(range(start, end))
        self.cursor = end

    def _kept(self, end: int) -> list[str]:
        kept: list[str] = []
        pos = 0
        for span in self.dropped:
            kept += self.lines[pos : span.start]
            pos = span.stop
        return kept + self.lines[pos:end]


def _marker_at(lines: list[str], c: int, floor: int, seen: dict[int, int]) -> tuple[int, int, bool]:
    """(first line, lines spanned, is an attribution) of a marker at line c, or one wrapped
    from a line above c (not above floor) down to c; span 0: none. ``seen`` caches the spans
    of attributions from the lines above (each line is tried once)."""
    span = _marker(lines, c)
    if span:
        return c, span, False
    if c not in seen:
        seen[c] = attribution(lines, c)
    if seen[c] or lines[c].rstrip().endswith(_WRAPPED_END):  # maybe wrapped from above
        for start in range(max(floor, c - WRAP + 1), c):
            if start not in seen:
                seen[start] = attribution(lines, start)
            if seen[start] and start + seen[start] > c:
                return start, seen[start], True
    return c, seen[c], bool(seen[c])


def _marker(lines: list[str], i: int) -> int:
    """Lines spanned by the separator, rule or header block at line i (0: none). Cheap string
    tests come first: most lines are text."""
    line = lines[i]
    if ("-" in line or "_" in line or line.rstrip().endswith(":")) and SEPARATOR.match(line):
        return 1
    if line.lstrip(" \t>")[:1] in _RULE_CHARS and _is_rule(lines, i):
        return 1
    if (":" in line[:40] or "：" in line[:40]) and HEADER_KEY.match(line):
        return _header_block(lines, i)
    return 0


def _is_signature(line: str) -> bool:
    """The "-- " delimiter or a device line ("Sent from my iPhone")."""
    stripped = line.strip()
    if stripped in ("--", "__"):
        return True
    return stripped[:14].lower().startswith(DEVICE_WORDS) and DEVICE.match(line) is not None


def _skip_quote(lines: list[str], i: int) -> int:
    """Index after the quoted block (and blank lines) starting at i. A line right below a
    quoted line with text is that line wrapped by a client that forgot its ">"."""
    wrapped = False
    while i < len(lines) and (not lines[i].strip() or QUOTED.match(lines[i]) or wrapped):
        wrapped = bool(QUOTED.match(lines[i])) and bool(lines[i].strip(" \t>"))
        i += 1
    return i


def _inline_follows(lines: list[str], i: int) -> bool:
    """A quoted block follows, then more of the sender's text (not a signature or a marker)."""
    j = _skip_quote(lines, i)
    if j == i or j >= len(lines) or not any(QUOTED.match(line) for line in lines[i:j]):
        return False
    return not (_is_signature(lines[j]) or _marker(lines, j) or attribution(lines, j))


def _header_block(lines: list[str], i: int) -> int:
    """Span of a block of at least three header lines with "From:" and "Subject:" (or their
    translations) among them: "From: Paris / To: London" in a customer's text is no block."""
    end = min(i + _HEADER_WINDOW, len(lines))
    keys = [j for j in range(i, end) if HEADER_KEY.match(lines[j])]
    if len(keys) < 3 or not any(FROM_KEY.match(lines[j]) for j in keys):
        return 0
    return keys[-1] - i + 1 if any(SUBJECT_KEY.match(lines[j]) for j in keys) else 0


def _is_rule(lines: list[str], i: int) -> bool:
    """An underscore rule after a blank line, or a rule right above a header block."""
    if not RULE.match(lines[i]):
        return False
    if LONG_UNDERSCORES.match(lines[i]) and i > 0 and not lines[i - 1].strip():
        return True
    nxt = next((j for j in range(i + 1, min(i + 4, len(lines))) if lines[j].strip()), None)
    return (
        nxt is not None
        and HEADER_KEY.match(lines[nxt]) is not None
        and bool(_header_block(lines, nxt))
    )


def _before_trailing_quote(lines: list[str]) -> list[str]:
    """Drop quoted lines (and blanks) that run to the end, when the sender's text is above."""
    i = len(lines)
    while i > 0 and (not lines[i - 1].strip() or QUOTED.match(lines[i - 1])):
        i -= 1
    return lines[:i] if any(line.strip() for line in lines[:i]) else lines
