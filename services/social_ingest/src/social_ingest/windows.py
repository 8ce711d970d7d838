"""Messaging windows, pure: may a reply go out now, and how?

* WhatsApp: free-form within 24 h of the customer's last message; outside it only a template.
* Messenger / Instagram: 24 h (``RESPONSE``); up to 7 days with the ``HUMAN_AGENT`` tag.
* X, Telegram, SMS: no window.
No known inbound message counts as closed (a template still works on WhatsApp).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

DAY = timedelta(hours=24)
HUMAN_AGENT = timedelta(days=7)
WINDOWED = frozenset({"whatsapp", "messenger", "instagram"})


@dataclass(frozen=True)
class Decision:
    allowed: bool
    mode: str = "free"  # free | template | human_agent
    reason: str | None = None


def decide(
    channel: str,
    last_inbound: datetime | None,
    now: datetime,
    *,
    template: str | None = None,
    human_agent: bool = False,
) -> Decision:
    if channel not in WINDOWED:
        return Decision(True)
    age = now - last_inbound if last_inbound else None
    if age is not None and age <= DAY:
        return Decision(True)
    if channel == "whatsapp":
        return _whatsapp_outside(age, template)
    if human_agent and age is not None and age <= HUMAN_AGENT:
        return Decision(True, "human_agent")
    return Decision(False, reason=_closed(age, "24 h" if not human_agent else "7 days"))


def _whatsapp_outside(age: timedelta | None, template: str | None) -> Decision:
    if template:
        return Decision(True, "template")
    return Decision(False, reason=_closed(age, "24 h, and no template given"))


def _closed(age: timedelta | None, rule: str) -> str:
    if age is None:
        return f"no inbound message from this customer on record (window {rule})"
    hours = age.total_seconds() / 3600
    return f"last customer message {hours:.1f} h ago (window {rule})"
