"""What agents call a sender: the display name the channel gave, else the handle written the way
the channel's people know it (an address, a phone number), never a bare internal id.

Names come from customers and are untrusted text: stored cleaned (no control or bidi-override
characters, one line, at most ``MAX_NAME`` characters) and only ever rendered escaped."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

MAX_NAME = 200
_CHANNEL_LABELS = {
    "slack": "Slack user",
    "telegram": "Telegram user",
    "x": "X user",
    "messenger": "Messenger user",
    "instagram": "Instagram user",
}


def clean_name(raw: str | None) -> str | None:
    """One line of printable text, or None when nothing is left. Format characters (Cf: bidi
    overrides, zero-width joiners) would let a name disguise itself, so they go too."""
    if not raw:
        return None
    kept = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in raw)
    name = " ".join(kept.split())[:MAX_NAME].strip()
    return name or None


def suffix(handle: str) -> str:
    """A short stable tag for an anonymous handle (the id itself is never shown)."""
    return hashlib.sha256(handle.encode()).hexdigest()[:6]


def _phone(handle: str) -> str | None:
    digits = handle.removeprefix("+")
    return "+" + digits if digits.isdigit() and 6 <= len(digits) <= 15 else None


def handle_label(channel_kind: str, handle: str) -> str:
    """The handle formatted by channel: email address, E.164 phone, or "Visitor 3fa2c1"."""
    if channel_kind == "email":
        return handle
    if channel_kind in ("whatsapp", "sms", "voice"):  # a wa_id is the number without "+"
        return _phone(handle) or handle  # an SMS short code or alphanumeric sender as sent
    if channel_kind == "widget":
        return f"Visitor {suffix(handle)}"
    return f"{_CHANNEL_LABELS.get(channel_kind, 'User')} {suffix(handle)}"


@dataclass(frozen=True)
class Seen:
    """One (name, channel, handle) a contact's messages carried, and when last."""

    name: str | None
    channel_kind: str
    handle: str
    at: datetime


def display_name(seen: Iterable[Seen]) -> str | None:
    """The most recent non-empty name (ties: the alphabetically first, so the answer is stable)."""
    named = [s for s in seen if s.name]
    if not named:
        return None
    return min(named, key=lambda s: (-s.at.timestamp(), s.name or "")).name


def label(seen: Iterable[Seen]) -> str | None:
    """The display name, else the most recent handle formatted by channel."""
    rows = list(seen)
    name = display_name(rows)
    if name is not None or not rows:
        return name
    last = min(rows, key=lambda s: (-s.at.timestamp(), s.handle))
    return handle_label(last.channel_kind, last.handle)


def names(seen: Iterable[Seen]) -> list[dict[str, str]]:
    """The distinct names per channel with the last time each was seen, most recent first."""
    last: dict[tuple[str, str], datetime] = {}
    for s in seen:
        if s.name:
            key = (s.name, s.channel_kind)
            last[key] = max(last.get(key, s.at), s.at)
    ordered = sorted(last.items(), key=lambda kv: (-kv[1].timestamp(), kv[0]))
    return [{"name": n, "channel": c, "last_seen_at": at.isoformat()} for (n, c), at in ordered]
