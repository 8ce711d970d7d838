"""Satisfaction surveys (pure): what to ask on which channel, and what an answer does.

One survey per resolution: each close of a conversation (its ``cycle``) may ask once, on the
channel the customer last used. Answers: before the survey expires the **latest answer wins**
(a customer who tapped the wrong button can tap again; the page's comment can follow the
score), each one a ``csat.answered.v1`` with its revision; after expiry an answer is kept as
``late`` and changes nothing. The same inbound message twice is one answer (its event id).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Literal

from hotline import events as ev

SCALES = (2, 3, 5, 10)
SCALE_MAX = max(SCALES)
LABELS: dict[int, tuple[str, ...]] = {
    2: ("👎 Not good", "👍 Good"),
    3: ("😞 Poor", "😐 OK", "😀 Great"),
    5: ("1 ★ Very poor", "2 ★ Poor", "3 ★ OK", "4 ★ Good", "5 ★ Excellent"),
}
NO_SURVEY = frozenset({"voice"})  # a call has no message to carry one
DIGITS = re.compile(r"\s*(\d{1,2})\s*[.!]?\s*")
COMMENT_MAX = 2000
Verdict = Literal["accepted", "late", "duplicate"]


class BadSurveyConfig(ValueError):
    """A survey setting that cannot be used (unknown scale, empty question)."""


@dataclass(frozen=True)
class SurveyConfig:
    """What one inbox (channel account) asks; set per deployment, channel kind and account."""

    enabled: bool = True
    scale: int = 5
    expiry_hours: float = 72.0
    question: str = "How would you rate the help you got from us?"

    def merged(self, override: dict[str, Any] | None) -> SurveyConfig:
        """This config with the fields ``override`` sets (unknown keys: ``BadSurveyConfig``)."""
        if not override:
            return self
        if unknown := set(override) - set(TYPES):
            raise BadSurveyConfig(f"unknown survey settings: {sorted(unknown)}")
        for key, value in override.items():
            if not isinstance(value, TYPES[key]) or (key != "enabled" and isinstance(value, bool)):
                raise BadSurveyConfig(f"{key}: {TYPES[key]}")
        return checked(replace(self, **override))


TYPES: dict[str, type | tuple[type, ...]] = {
    "enabled": bool,
    "scale": int,
    "expiry_hours": (int, float),
    "question": str,
}


def checked(config: SurveyConfig) -> SurveyConfig:
    if config.scale not in SCALES:
        raise BadSurveyConfig(f"scale must be one of {SCALES}")
    if not config.question.strip() or config.expiry_hours <= 0:
        raise BadSurveyConfig("a survey needs a question and a positive expiry")
    return config


#: Built-in per channel kind: WhatsApp's reply buttons hold three answers at most.
CHANNEL_DEFAULTS: dict[str, dict[str, Any]] = {"whatsapp": {"scale": 3}}


def config_for(
    base: SurveyConfig,
    kind: str,
    channel_overrides: dict[str, dict[str, Any]],
    account_override: dict[str, Any] | None,
) -> SurveyConfig:
    """Deployment default, then the channel kind's built-in and configured overrides, then the
    inbox's own (its channel account's ``settings.csat``)."""
    config = base.merged(CHANNEL_DEFAULTS.get(kind)).merged(channel_overrides.get(kind))
    config = config.merged(account_override)
    return replace(config, enabled=False) if kind in NO_SURVEY else config


def choices(survey_id: str, scale: int) -> list[ev.SurveyChoice]:
    labels = LABELS.get(scale) or tuple(str(n) for n in range(1, scale + 1))
    return [
        ev.SurveyChoice(reply_id=ev.survey_reply_id(survey_id, n), title=labels[n - 1])
        for n in range(1, scale + 1)
    ]


def ask_text(config: SurveyConfig, kind: str, link: str) -> str:
    """The reply's text: the question, and how to answer where no buttons carry it."""
    if kind == "email":
        return f"{config.question}\n\nOne click, no sign-in: {link}\n"
    if kind in ("sms", "x", "instagram"):
        return f"{config.question} Reply with a number from 1 to {config.scale} (best)."
    return config.question


def expiry(config: SurveyConfig, asked_at: datetime) -> datetime:
    return asked_at + timedelta(hours=config.expiry_hours)


def digits_score(text: str, scale: int) -> int | None:
    """A message that is only a score ("4", " 5 ", "3.") on the survey's scale."""
    found = DIGITS.fullmatch(text) if len(text) <= 8 else None
    score = int(found.group(1)) if found else 0
    return score if 1 <= score <= scale else None


def verdict(expires_at: datetime, at: datetime, seen: bool) -> Verdict:
    """What an answer arriving at ``at`` does: ``seen`` means this very event was taken."""
    if seen:
        return "duplicate"
    return "late" if at > expires_at else "accepted"


def state(score: int | None, expires_at: datetime, now: datetime) -> str:
    """What the thread shows: ``answered``, ``open`` (waiting for her) or ``expired``."""
    if score is not None:
        return "answered"
    return "open" if now <= expires_at else "expired"


def clean_comment(text: str | None) -> str | None:
    """A comment as kept: trimmed, at most COMMENT_MAX characters, None when empty."""
    text = (text or "").strip()
    return text[:COMMENT_MAX] or None
