"""One mail a provider delivered, and its normalization (pure): the raw MIME (as received, or
rebuilt by ``mime.compose``), the SMTP envelope recipients the provider reports, and the
provider's spam verdict, carried as ``flags.provider_spam``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from email_ingest.normalize import MailboxConfig, Normalized, normalize
from hotline import events

SPAM_THRESHOLD = 5.0  # SpamAssassin's default "required" score
_REQUIRED = re.compile(r"\(\s*-?[\d.]+\s+points?,\s*(-?[\d.]+)\s+required\s*\)")


@dataclass(frozen=True)
class Delivery:
    raw: bytes
    rcpts: tuple[str, ...] = ()
    spam: bool = False


def normalize_delivery(d: Delivery, config: MailboxConfig, received_at: datetime) -> Normalized:
    """The same event SMTP gives for these bytes, plus the provider's spam verdict."""
    result = normalize(d.raw, config, received_at, d.rcpts)
    for event in result.events:
        if isinstance(event, events.MessageReceived):
            event.flags.provider_spam = d.spam
    return result


def score_is_spam(score: str | float | None, report: str | None = None) -> bool:
    """A SpamAssassin score against the report's own "required" value, else 5.0."""
    try:
        value = float(score) if score is not None and score != "" else None
    except ValueError:
        return False
    if value is None:
        return False
    m = _REQUIRED.search(report or "")
    return value >= (float(m.group(1)) if m else SPAM_THRESHOLD)


def spam_status_says_spam(header: str | None) -> bool:
    """SpamAssassin's ``X-Spam-Status: Yes, score=...`` / ``No, score=...``."""
    return (header or "").strip().lower().startswith("yes")
