"""Bounces and delay warnings (pure): our RFC 3464 reading, then flufl.bounce, then words.

Order: a DSN (``dsn.py``) says per recipient whether delivery failed or is only delayed. A mail
that is no DSN but *may* be a report — null Return-Path, a MAILER-DAEMON/postmaster-like
sender, a delivery-failure subject, ``X-Failed-Recipients`` — goes to flufl.bounce, whose
detectors know the plain-text formats of Exim, qmail, Postfix, Yahoo, AOL, Microsoft, SMTP32,
GroupWise and more. When neither finds a recipient, a delivery-failure subject from such a
sender (or with the returned mail attached) still makes a bounce, without recipients. The
gate keeps ordinary mail on the fast path: it never reaches the stdlib parser or flufl. A
person's "Re:"/"Fwd:" of a bounce is their own mail, not a report.
"""

from __future__ import annotations

import email
import email.policy
import logging
import re
from dataclasses import dataclass, field
from typing import Literal

from flufl.bounce import all_failures

from email_ingest import dsn
from email_ingest.auto_reply import reply_prefixed
from email_ingest.body import part_text
from email_ingest.parse import Part

Kind = Literal["bounce", "delay"]
SCAN_BYTES = 256 * 1024  # flufl reads the start of a report; the returned mail may be huge
# flufl's patterns (``\S+@\S+``, ``<[^>]*>``) are quadratic in the length of a line or of a
# run without spaces: lines are cut to RFC 5322's 998 bytes and runs to a length no address
# reaches, so hostile mail cannot stall the intake (256 KiB of it scans in well under 1 s).
_LINE_BYTES = 998
_WORD_BYTES = 320
_LONG_LINE = re.compile(rb"[^\n]{%d,}" % (_LINE_BYTES + 1))
_LONG_WORD = re.compile(rb"\S{%d,}" % (_WORD_BYTES + 1))
_TEXT_BYTES = 64 * 1024
# Matched against lower-cased text: without re.I the engine skips ahead far faster.
_DAEMON = re.compile(
    rb"mailer[-_ ]?daemon|postmaster|mail ?delivery|mdaemon|\bndr@|mail administrator"
    rb"|system administrator|mail ?system|<>"
)
_DELAY_WORDS = (
    r"delay|still being retried|could not send message for past|not (?:yet )?been delivered"
    r"|warning: message|zustellung verz[öo]gert|retard"
)
_FAIL_WORDS = (
    r"undeliver|not (?:be )?delivered|delivery (?:status|fail|notification|problem|report)"
    r"|returned mail|returned to sender|failure notice|mail delivery|mail (?:system )?error"
    r"|non[- ]?delivery|nondeliverable|unzustellbar|nicht zustellbar|non recapitabile"
    r"|non remis|[ée]chec de (?:la )?remise|no se (?:pudo|puede) entregar|user unknown"
    r"|недоставлен|не доставлено|配信不能|退信|rejected"
)
_DELAY_SUBJECT = re.compile(_DELAY_WORDS)
_FAIL_SUBJECT = re.compile(_FAIL_WORDS)
_REPORT_SUBJECT = re.compile(_FAIL_WORDS + "|" + _DELAY_WORDS)
_CODE = re.compile(r"(?<![\d.])[45]\.\d{1,3}\.\d{1,3}(?![\d.])")
_RETURNED_COPY = re.compile(
    r"^\W*(?:-{2,}|={2,}).*(?:original|returned|header|copy|follows|undelivered)", re.I | re.M
)

# flufl logs every detector it runs at INFO; one line per detector per report is noise.
logging.getLogger("flufl.bounce").setLevel(logging.WARNING)


@dataclass
class Outcome:
    kind: Kind
    recipients: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)


def may_be_report(root: Part, subject: str) -> bool:
    """Cheap header-only test: could this mail be a delivery report at all?"""
    if root.ctype == "multipart/report" or dsn.is_dsn(root):
        return True
    if _null_sender(root) or root.get("x-failed-recipients") is not None:
        return True
    if _daemon(root.get("from")) or _daemon(root.get("sender")):
        return True
    return _REPORT_SUBJECT.search(subject.lower()) is not None


def _daemon(value: bytes | None) -> bool:
    return value is not None and _DAEMON.search(value.lower()) is not None


def read(root: Part, subject: str) -> Outcome | None:
    """The bounce or delay this mail reports, or None (call only when ``may_be_report``)."""
    is_dsn = dsn.is_dsn(root)
    if not is_dsn and _person_answering(root, subject):
        return None
    if is_dsn:
        found = dsn.read(root)
        if found.failed or found.delayed:
            kind: Kind = "bounce" if found.failed else "delay"
            return Outcome(kind, found.failed or found.delayed, found.statuses or _codes(root))
        if found.delivered:
            return None  # a success notification (NOTIFY=SUCCESS): no problem to report
    scanned = _scan(root)
    if scanned is not None:
        return scanned
    return _by_words(root, subject, is_dsn)


def _scan(root: Part) -> Outcome | None:
    msg = email.message_from_bytes(_bounded(root.src), policy=email.policy.compat32)
    try:
        temporary, permanent = all_failures(msg)
    except Exception:  # a detector tripping over odd mail must not lose the mail
        return None
    if not temporary and not permanent:
        return None
    addresses = sorted(a.decode("ascii", "replace") for a in (permanent or temporary))
    return Outcome("bounce" if permanent else "delay", addresses, _codes(root))


def _bounded(src: bytes) -> bytes:
    data = _LONG_LINE.sub(lambda m: m.group(0)[:_LINE_BYTES], src[:SCAN_BYTES].lstrip())
    return _LONG_WORD.sub(lambda m: m.group(0)[:_WORD_BYTES], data)


def _by_words(root: Part, subject: str, is_dsn: bool) -> Outcome | None:
    """No recipient found: a DSN container, or a delay/failure subject on automated mail (a
    daemon-like sender, a null Return-Path, or the returned mail attached)."""
    if not (is_dsn or _daemon(root.get("from")) or _null_sender(root) or _returns_mail(root)):
        return None  # a person's "Shipping delay" or "Payment rejected" is no report
    lowered = subject.lower()
    if _DELAY_SUBJECT.search(lowered):
        return Outcome("delay", [], _codes(root))
    if is_dsn or _FAIL_SUBJECT.search(lowered):
        return Outcome("bounce", dsn.header_recipients(root), _codes(root))
    return None


def _person_answering(root: Part, subject: str) -> bool:
    """ "Re:"/"Fwd:" from a person (no daemon sender, no null Return-Path): a customer who
    forwards a bounce to ask about it wrote that mail; their quote is no report of ours."""
    return reply_prefixed(subject) and not _null_sender(root) and not _daemon(root.get("from"))


def _null_sender(root: Part) -> bool:
    return (root.get("return-path") or b"x").strip() in (b"<>", b"")


def _returns_mail(root: Part) -> bool:
    return any(c.ctype in ("message/rfc822", "text/rfc822-headers") for c in root.children)


def _codes(root: Part) -> list[str]:
    """Enhanced status codes (RFC 3463) in the notification text, before the returned copy."""
    text = notification_text(root)
    cut = _RETURNED_COPY.search(text)
    return list(dict.fromkeys(_CODE.findall(text[: cut.start()] if cut else text)))


def notification_text(root: Part) -> str:
    """The human-readable text of a report: its first text part (the start of it)."""
    if not root.children:
        return part_text(root)[:_TEXT_BYTES]
    for part in root.children:
        if part.ctype.startswith("text/"):
            return part_text(part)[:_TEXT_BYTES]
        if part.ctype.startswith("multipart/") and part.children:
            return notification_text(part)
    return ""
