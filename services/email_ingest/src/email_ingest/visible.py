"""The visible reply: what the sender wrote in this mail, without quoted history or signature.

Line by line, from the top, the first of these that has the sender's own text above it ends
the reply: an attribution ("On … wrote:" and its equivalents, also wrapped over up to three
lines or broken by a quoted-printable soft break), an Outlook header block ("From: … Sent: …"
in many languages), an "Original Message"/forwarded separator, or a long rule in front of
such a block. A marker with nothing above it (an inline reply that starts with the
attribution, a header block printed at the top) is passed over. Inside the reply, the "-- "
delimiter or a device line ("Sent from my iPhone") ends it, and a block of ">" lines that runs
to the end is trailing history; ">" lines with the sender's text after them stay (inline
answers need their questions). A closing ("Thanks,\\nJan") stays. If nothing is left, the
full text is the visible text.

Why our own rules and not mail-parser-reply (measured on the reply-quotes corpus, see the
README): the library strips every line's indentation (code, bullets), treats closings such as
"Thanks," or "-Name" as signatures and cuts them, does not know Russian, Portuguese or
Spanish/Italian attributions on one line with a name, and cannot keep inline answers. Its
per-language header patterns are the model for ``quote_patterns``; using them as extra
markers did not score better than ours alone.
"""

from __future__ import annotations

from email_ingest.quote_patterns import (
    ATTRIBUTION,
    DEVICE,
    FROM_KEY,
    HEADER_KEY,
    LONG_UNDERSCORES,
    NUMERIC_ATTRIBUTION,
    OPENER,
    QUOTED,
    RULE,
    SEPARATOR,
    SIGNATURE,
    START,
    START_WORD,
)

VISIBLE_SCAN = 100_000  # the reply is at the top: bound the work on huge bodies
_HEADER_WINDOW = 6  # lines an Outlook header block may span
_WRAP = 5  # lines an attribution may be wrapped over
_ENDINGS = (":", "：", "wrote", "-", ">")
_INVISIBLE = " \t\u00a0\u200b\ufeff\u1427"  # Gmail's "ᐧ" tracking mark, zero-width spaces


def visible_text(text: str) -> str:
    lines = text[:VISIBLE_SCAN].split("\n")
    kept = _before_signature(_reply_lines(lines))
    kept = _before_trailing_quote(kept)
    while kept and not kept[-1].strip(_INVISIBLE):
        kept.pop()
    visible = "\n".join(kept).strip("\n")
    return visible if visible.strip() else text[:VISIBLE_SCAN].strip()


def _reply_lines(lines: list[str]) -> list[str]:
    """The lines above the quoted history, without attribution or header lines in between."""
    kept: list[str] = []
    i = 0
    while i < len(lines):
        span, attribution = _marker(lines, i)
        if not span:
            kept.append(lines[i])
            i += 1
        elif not any(line.strip() for line in kept):
            i = _skip_quote(lines, i + span)  # nothing above: the client's, drop it and its quote
        elif attribution and _inline_follows(lines, i + span):
            i += span  # an interleaved answer follows the quote: keep both, drop the attribution
        else:
            break
    return kept


def _marker(lines: list[str], i: int) -> tuple[int, bool]:
    """(lines spanned, is an attribution) of the history marker at line i; (0, False): none."""
    line = lines[i]
    if SEPARATOR.match(line) or _is_rule(lines, i):
        return 1, False
    if HEADER_KEY.match(line):
        span = _header_block(lines, i)
        if span:
            return span, False
    span = _attribution(lines, i)
    return span, bool(span)


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
    return not (SIGNATURE.match(lines[j]) or DEVICE.match(lines[j]) or _marker(lines, j)[0])


def _header_block(lines: list[str], i: int) -> int:
    """Span of a block of at least two header lines, one of them "From:" (or its translation)."""
    end = min(i + _HEADER_WINDOW, len(lines))
    keys = [j for j in range(i, end) if HEADER_KEY.match(lines[j])]
    if len(keys) < 2 or not any(FROM_KEY.match(lines[j]) for j in keys):
        return 0
    return keys[-1] - i + 1


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


def _attribution(lines: list[str], i: int) -> int:
    """Span of an attribution line, or of one wrapped over up to five lines."""
    if _looks_like_attribution(lines[i]) or NUMERIC_ATTRIBUTION.match(lines[i]):
        return 1
    joined = lines[i].rstrip()
    if not OPENER.match(joined) or (joined.endswith((".", "!", "?")) and "@" not in joined):
        return 0
    for span in range(2, min(_WRAP, len(lines) - i) + 1):
        line = lines[i + span - 1]
        if _starts_attribution(line):
            return 0  # the next line begins an attribution of its own
        joined = _join(joined, line)
        if _looks_like_attribution(joined):
            return span
    return 0


def _starts_attribution(line: str) -> bool:
    """Whether a line begins an attribution (it then ends the one being joined)."""
    if START_WORD.match(line) and line.lstrip(" \t>")[:1].isupper():
        return True
    return bool(START.match(line) or QUOTED.match(line)) and _looks_like_attribution(line)


def _looks_like_attribution(line: str) -> bool:
    stripped = line.rstrip()
    return stripped.endswith(_ENDINGS) and ATTRIBUTION.match(stripped) is not None


def _join(head: str, line: str) -> str:
    """Join a wrapped line: a quoted-printable soft break ("w=" / "rote:") or a broken "<a@b>"
    joins without a space."""
    line = line.strip()
    if head.endswith("="):
        return head[:-1] + line
    if head.endswith("<") or line.startswith(">") or not line:
        return head + line
    return f"{head} {line}"


def _before_signature(lines: list[str]) -> list[str]:
    """Up to the "-- " delimiter or a device line below some text of the sender."""
    seen = False
    for i, line in enumerate(lines):
        if seen and (SIGNATURE.match(line) or DEVICE.match(line)):
            return lines[:i]
        seen = seen or bool(line.strip())
    return lines


def _before_trailing_quote(lines: list[str]) -> list[str]:
    """Drop quoted lines (and blanks) that run to the end, when the sender's text is above."""
    i = len(lines)
    while i > 0 and (not lines[i - 1].strip() or QUOTED.match(lines[i - 1])):
        i -= 1
    return lines[:i] if any(line.strip() for line in lines[:i]) else lines
