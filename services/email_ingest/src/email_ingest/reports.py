"""What kind of machine report a mail is (pure): feedback report, bounce, delay, or none.

A feedback report (ARF/JMRP) wins over everything: it also quotes a mail. Then bounces and
delay warnings, only for mail that ``bounces.may_be_report`` lets through. The returned mail's
Message-ID — from its ``message/rfc822`` part, its returned headers, or a copy of its headers
pasted into the notification text (Exim, qmail) — lets the unifier find our reply it is about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from email_ingest import bounces, dsn, feedback
from email_ingest.parse import Part

Kind = Literal["bounce", "delay", "feedback"]
_INLINE_ID = re.compile(r"^[ \t>]*message-id:[ \t]*(<[^<>\s]+>)", re.I | re.M)


@dataclass
class Report:
    kind: Kind
    recipients: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    feedback_type: str | None = None
    original_id: str | None = None


def read(root: Part, subject: str) -> Report | None:
    found = feedback.read(root)
    if found is not None:
        return Report("feedback", found.recipients, [], found.feedback_type, dsn.original_id(root))
    if not bounces.may_be_report(root, subject):
        return None
    outcome = bounces.read(root, subject)
    if outcome is None:
        return None
    original = dsn.original_id(root) or _inline_original(root)
    return Report(outcome.kind, outcome.recipients, outcome.statuses, None, original)


def _inline_original(root: Part) -> str | None:
    """A Message-ID line in the notification text: the returned mail's headers, pasted."""
    m = _INLINE_ID.search(bounces.notification_text(root))
    return m.group(1) if m else None
