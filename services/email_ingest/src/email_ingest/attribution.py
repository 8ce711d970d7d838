"""Attributions: the line(s) a mail client writes above the quoted mail ("On … wrote:",
"Am … schrieb …:", "2026年11月30日(月) 10:00 Name <a@b>:", …), also wrapped over up to five
lines or broken by a quoted-printable soft break."""

from __future__ import annotations

from email_ingest.quote_patterns import (
    ADDRESS_COLON,
    DATE_OR_ADDRESS,
    DIGIT,
    NUMERIC_ATTRIBUTION,
    ON_WROTE,
    OPENER,
    QUOTED,
    START,
    START_WORD,
    VERB_COLON,
    VERB_END,
    VERB_WORDS,
)

WRAP = 5  # lines an attribution may be wrapped over
ENDINGS = (":", "：", "wrote", "-", ">")  # how an attribution's last line ends
_LAST_ENDS = (":", "：", "wrote")  # how the last line of a wrapped attribution ends
_SHORT = 4  # what may follow the verb without a date or address (" :", "(a)")
_ADDRESS_MARKS = frozenset("@<>")
_TAIL = 240  # an attribution's verb or address is within this many characters of its end


def attribution(lines: list[str], i: int) -> int:
    """Span of an attribution line, or of one wrapped over up to five lines."""
    line = lines[i]
    if _looks_like_attribution(line):
        return 1
    if line.lstrip(" \t>")[:1].isdigit() and NUMERIC_ATTRIBUTION.match(line):
        return 1
    return _wrapped_attribution(lines, i) if _may_open(line.rstrip()) else 0


def _may_open(line: str) -> bool:
    """Whether a wrapped attribution may start here: an opener word, an address or a "<"."""
    if "@" in line:
        return True
    return not line.endswith((".", "!", "?")) and (line.endswith("<") or bool(OPENER.match(line)))


def _wrapped_attribution(lines: list[str], i: int) -> int:
    end = min(WRAP, len(lines) - i)
    if not any(line.rstrip().endswith(_LAST_ENDS) for line in lines[i + 1 : i + end]):
        return 0  # no line below ends like the last line of an attribution
    joined = lines[i].rstrip()
    for span in range(2, end + 1):
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
    if not stripped.endswith(ENDINGS):
        return False
    tail = stripped[-_TAIL:]  # what ends an attribution is near its end: bound the search
    if ADDRESS_COLON.search(tail) and DIGIT.search(stripped):
        return True
    lower = tail.lower()
    if not any(word in lower for word in VERB_WORDS):
        return False
    if _verb_end(stripped, tail):
        return True
    if START_WORD.match(stripped) and VERB_COLON.search(tail):
        return True  # "On Monday Bob wrote:": no date, the verb right before the colon
    return stripped.endswith(("wrote", "-")) and ON_WROTE.match(stripped) is not None


def _verb_end(line: str, tail: str) -> bool:
    """ "<date or address> … <verb> …:" where what follows the verb is short, or holds the
    date or the address ("schrieb am 28. Apr. 2017 um 11:53 Uhr:", "skrev Ana <a@b>:"); "I
    wrote 3 mails, here they are:" is a sentence."""
    match = VERB_END.search(tail)
    if match is None:
        return False
    before = line[: len(line) - len(tail) + match.start()]
    rest = match["rest"]
    if DATE_OR_ADDRESS.search(before) is None:
        return False
    return (
        len(rest.strip()) <= _SHORT or bool(_ADDRESS_MARKS & set(rest)) or bool(DIGIT.search(rest))
    )


def _join(head: str, line: str) -> str:
    """Join a wrapped line: a quoted-printable soft break ("w=" / "rote:") or a broken "<a@b>"
    joins without a space."""
    line = line.strip()
    if head.endswith("="):
        return head[:-1] + line
    if head.endswith("<") or line.startswith(">") or not line:
        return head + line
    return f"{head} {line}"
