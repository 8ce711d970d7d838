"""Abuse feedback reports (pure): ARF (RFC 5965) and Microsoft's JMRP.

An ARF report is ``multipart/report; report-type=feedback-report`` (or a multipart that wraps
one) with a ``message/feedback-report`` part: ``Feedback-Type`` (abuse, fraud, virus, other,
not-spam, auth-failure) and ``Original-Rcpt-To`` (who complained). Microsoft's Junk Mail
Reporting Program sends no ARF: the complained-about mail itself, or (from staff@hotmail.com)
wrapping it as a ``message/rfc822`` part, with an ``X-HmXmrOriginalRecipient`` header naming
the complainer.
A report forwarded inside someone's mail (deeper than our own parts) is not one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from email_ingest.body import transfer_decode
from email_ingest.parse import Part

_ARF_PART = "message/feedback-report"
_JMRP = "x-hmxmroriginalrecipient"
_MS_STAFF = re.compile(rb"\bstaff@(?:hotmail|outlook|live|msn)\.com\b", re.I)
_ADDR = re.compile(r"[^\s<>\"',;]+@[^\s<>\"',;]+")


@dataclass
class Feedback:
    feedback_type: str  # "abuse" when a JMRP report, else the report's own Feedback-Type
    recipients: list[str] = field(default_factory=list)


def read(root: Part) -> Feedback | None:
    """The report this mail is, or None."""
    arf = _arf_part(root)
    if arf is not None:
        return _arf(arf)
    return _jmrp(root)


def _arf_part(root: Part) -> Part | None:
    if root.ctype == "multipart/report":
        if "feedback-report" not in root.params.get("report-type", "").lower():
            return None
    elif not root.ctype.startswith("multipart/"):
        return None
    for child in root.children:
        if child.ctype == _ARF_PART:
            return child
        if child.ctype == "multipart/report" and (inner := _arf_part(child)) is not None:
            return inner
    return None


def _arf(part: Part) -> Feedback:
    fields = _fields(transfer_decode(part).decode("utf-8", "replace"))
    kind = next((v for k, v in fields if k == "feedback-type"), "").strip().lower()
    rcpts = [a for k, v in fields if k == "original-rcpt-to" for a in _ADDR.findall(v)]
    return Feedback(kind or "other", list(dict.fromkeys(rcpts)))


def _fields(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if line[:1] in (" ", "\t") and out:
            out[-1] = (out[-1][0], out[-1][1] + " " + line.strip())
        elif ":" in line:
            name, _, value = line.partition(":")
            out.append((name.strip().lower(), value.strip()))
    return out


def _jmrp(root: Part) -> Feedback | None:
    """The header on the mail itself, or on a mail attached by Microsoft's staff address (a
    person who attaches a mail they got at Outlook.com is not reporting it)."""
    attached = _MS_STAFF.search(root.get("from") or b"") is not None
    inner = [c.children[0] for c in root.children if c.ctype == "message/rfc822" and c.children]
    for holder in (root, *(inner if attached else [])):
        value = holder.get(_JMRP)
        if value is not None:
            found = _ADDR.findall(value.decode("utf-8", "replace"))
            return Feedback("abuse", found[:1])
    return None
